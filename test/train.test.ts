// fit and evaluate: the loop equals a hand-written PyTorch-style loop bit for bit; validation runs
// in eval mode; schedulers, clipping, early stopping, callbacks and budgets act as documented;
// checkpoints resume bit-identically; bad options write nothing; memory stays flat.
import { mkdtempSync, existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import { paramBits, problem, run } from './train-helpers.js';

beforeAll(async () => { await d.init({ device: 'wasm', build: 'simd' }); });
const tmp = (): string => mkdtempSync(join(tmpdir(), 'descent-train-'));

describe('fit', () => {
  it('equals a hand-written loop bit for bit (clipping, per-batch StepLR, shuffled loader, dropout)', async () => {
    const a = problem(1);
    const optA = new d.optim.Adam(a.model.parameters(), { lr: 0.01 });
    const schedA = new d.optim.lrScheduler.StepLR(optA, { stepSize: 4, gamma: 0.5 });
    const r = await d.train.fit(a.model, optA, { train: a.train, val: a.val, epochs: 2, clipGradNorm: 0.5, scheduler: schedA, schedulerStep: 'batch' });

    const b = problem(1);
    const optB = new d.optim.Adam(b.model.parameters(), { lr: 0.01 });
    const schedB = new d.optim.lrScheduler.StepLR(optB, { stepSize: 4, gamma: 0.5 });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      b.train.setEpoch(epoch);
      b.model.train();
      let sum = 0, n = 0;
      for (const [x, y] of b.train) {
        optB.zeroGrad();
        const loss = d.nn.functional.crossEntropy(b.model.call(x), y);
        loss.backward();
        d.optim.clipGradNorm(b.model.parameters(), 0.5);
        optB.step();
        schedB.step();
        sum += Math.fround(loss.item() * y.shape[0]); n += y.shape[0];
        d.dispose([x, y, loss]);
      }
      losses.push(sum / n);
    }
    expect(paramBits(a.model)).toEqual(paramBits(b.model));
    expect(r.steps).toBe(2 * 6);
    expect(r.epochs.map((e) => e.trainLoss)).toEqual(losses.map((l) => expect.closeTo(l, 5)));
    expect(r.epochs[1].lr).toBe(0.01 * 0.5 ** 3); // 12 batch steps of StepLR(4, 0.5)
    a.dispose(); b.dispose();
  });

  it('validates in eval mode: the logged metrics are evaluate() on the trained model, and train mode is restored', async () => {
    const p = problem(2);
    const opt = new d.optim.SGD(p.model.parameters(), { lr: 0.1, momentum: 0.9 });
    const r = await d.train.fit(p.model, opt, { train: p.train, val: p.val, epochs: 3 });
    const v = d.train.evaluate(p.model, p.val);
    expect(r.epochs[2].valLoss).toBe(v.loss);
    expect(r.epochs[2].valAccuracy).toBe(v.accuracy);
    expect(p.model.training).toBe(true);
    // evaluate by hand on the reference device (float64): same mean loss and accuracy
    p.model.eval();
    let loss = 0, right = 0;
    for (const [x, y] of p.val) {
      const logits = d.noGrad(() => p.model.call(x));
      const lp = d.nn.functional.logSoftmax(logits.to('reference').to('f64'), 1).toArray() as number[][];
      const ys = Array.from(y.dataSync());
      ys.forEach((c, i) => { loss -= lp[i][c]; right += lp[i].indexOf(Math.max(...lp[i])) === c ? 1 : 0; });
      d.dispose([x, y, logits]);
    }
    expect(v.loss).toBeCloseTo(loss / 30, 5);
    expect(v.accuracy).toBe(right / 30);
    p.dispose();
  });

  it('evaluates sequence outputs [N, C, T] against targets [N, T]: accuracy counts every position', () => {
    class PerPosition extends d.nn.Module {
      readonly lin = this.registerModule('lin', new d.nn.Linear(2, 3));
      forward(x: d.Tensor): d.Tensor { return this.lin.call(x).transpose(1, 2); } // [N, T, 2] → [N, 3, T]
    }
    d.manualSeed(11);
    const model = new PerPosition();
    const x = d.randn([10, 4, 2]), y = d.randint(0, 3, [10, 4]);
    const ds = new d.data.TensorDataset(x, y);
    const v = d.train.evaluate(model, new d.data.DataLoader(ds, { batchSize: 3 }));
    const [loss, right] = d.tidy(() => {
      const logits = d.noGrad(() => model.call(x));
      return [d.nn.functional.crossEntropy(logits, y).item(), logits.argmax(1).eq(y).sum().item()];
    });
    expect(v.loss).toBeCloseTo(loss, 5);
    expect(v.accuracy).toBe(right / 40);
    ds.dispose(); model.dispose();
  });

  it('steps an epoch scheduler once per epoch and ReduceLROnPlateau on the validation loss', async () => {
    const p = problem(3);
    const opt = new d.optim.SGD(p.model.parameters(), { lr: 0.1 });
    const r = await d.train.fit(p.model, opt, { train: p.train, epochs: 3, scheduler: new d.optim.lrScheduler.ExponentialLR(opt, { gamma: 0.5 }) });
    expect(r.epochs.map((e) => e.lr)).toEqual([0.1, 0.05, 0.025]);
    expect(r.epochs[0].valLoss).toBeUndefined();
    const q = problem(3);
    const opt2 = new d.optim.SGD(q.model.parameters(), { lr: 0.2 });
    const plateau = new d.optim.lrScheduler.ReduceLROnPlateau(opt2, { patience: 0, factor: 0.5 });
    const flat = (o: d.Tensor): d.Tensor => o.mul(0).sum(); // validation loss 0 every epoch: a plateau
    const r2 = await d.train.fit(q.model, opt2, { train: q.train, val: q.val, epochs: 3, scheduler: plateau, lossFn: flat });
    expect(r2.epochs.map((e) => e.lr)).toEqual([0.2, 0.2, 0.1]);
    p.dispose(); q.dispose();
  });

  it('stops early when the monitored metric has not improved by minDelta for patience epochs', async () => {
    const p = problem(4);
    const opt = new d.optim.SGD(p.model.parameters(), { lr: 0.05 });
    const r = await d.train.fit(p.model, opt, { train: p.train, val: p.val, epochs: 10, earlyStopping: { monitor: 'valLoss', patience: 1, minDelta: 100 } });
    expect(r.epochs.length).toBe(3); // epoch 1 sets the best; 2 and 3 miss it by more than 100
    expect(r.stoppedEarly).toBe(true);
    expect(r.stopReason).toBe('earlyStopping');
    // mode 'max' on the (falling) validation loss counts each epoch as worse
    const q = problem(4);
    const r2 = await d.train.fit(q.model, new d.optim.Adam(q.model.parameters(), { lr: 0.01 }),
      { train: q.train, val: q.val, epochs: 10, earlyStopping: { monitor: 'valLoss', patience: 2, mode: 'max' } });
    expect(r2.epochs.length).toBe(4);
    expect(r2.epochs[3].valLoss!).toBeLessThan(r2.epochs[0].valLoss!);
    p.dispose(); q.dispose();
  });

  it('calls callbacks with batch and epoch info; returning false stops', async () => {
    const p = problem(5);
    const opt = new d.optim.Adam(p.model.parameters());
    const seen: number[] = [];
    const r = await d.train.fit(p.model, opt, { train: p.train, epochs: 5, callbacks: [
      { onBatchEnd: (i) => { seen.push(i.step); expect(i.batches).toBe(6); expect(Number.isFinite(i.loss)).toBe(true); return i.step < 8; } },
    ] });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([r.steps, r.epochs.length, r.stopReason, r.stoppedEarly]).toEqual([8, 2, 'callback', true]);
    const epochs: number[] = [];
    const r2 = await d.train.fit(p.model, opt, { train: p.train, epochs: 5, callbacks: [{ onEpochEnd: (l) => { epochs.push(l.epoch); return l.epoch < 2; } }] });
    expect([epochs, r2.epochs.length, r2.stopReason]).toEqual([[1, 2], 2, 'callback']);
    p.dispose();
  });

  it('stops at maxSteps and maxSeconds', async () => {
    const p = problem(6);
    const opt = new d.optim.SGD(p.model.parameters(), { lr: 0.01 });
    const r = await d.train.fit(p.model, opt, { train: p.train, epochs: 5, maxSteps: 9 });
    expect([r.steps, r.epochs.length, r.stopReason, r.stoppedEarly]).toEqual([9, 2, 'maxSteps', false]);
    const r2 = await d.train.fit(p.model, opt, { train: p.train, epochs: 1000, maxSeconds: 0.05 });
    expect(r2.stopReason).toBe('maxSeconds');
    expect(r2.epochs.length).toBeLessThan(1000);
    p.dispose();
  });

  it('trains with LBFGS (closure steps)', async () => {
    const p = problem(7, { batchSize: 90, dropout: 0 }); // full batch, no noise: LBFGS re-evaluates the loss
    const opt = new d.optim.LBFGS(p.model.parameters(), { maxIter: 4, lineSearchFn: 'strong_wolfe' });
    const r = await d.train.fit(p.model, opt, { train: p.train, val: p.val, epochs: 3 });
    expect(r.epochs[2].trainLoss).toBeLessThan(r.epochs[0].trainLoss);
    p.dispose();
  });

  it('keeps memory() flat over epochs', async () => {
    const p = problem(8);
    const opt = new d.optim.AdamW(p.model.parameters());
    const seen: number[] = [];
    await d.train.fit(p.model, opt, { train: p.train, val: p.val, epochs: 6, clipGradNorm: 1, checkpoint: { path: join(tmp(), 'c') },
      callbacks: [{ onBatchEnd: () => undefined, onEpochEnd: () => { seen.push(d.memory().wasm.tensors); } }] });
    // never above epoch 1 (earlier tests' optimizers may be collected meanwhile, which only lowers it)
    expect(Math.max(...seen.slice(1))).toBeLessThanOrEqual(seen[1]);
    p.dispose();
  });
});

describe('fit checkpoints', () => {
  it('2 epochs + resume + 1 epoch == 3 epochs, bit for bit (params, losses, lr)', async () => {
    const dir = join(tmp(), 'ckpt');
    const straight = await run(3);
    const first = await run(2, { checkpoint: dir });
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'state.json']);
    const resumed = await run(3, { resume: dir });
    expect(resumed.bits).toEqual(straight.bits);
    expect(first.r.epochs.length).toBe(2);
    const strip = (e: d.train.EpochLog[]) => e.map(({ seconds: _s, ...rest }) => rest);
    expect(strip(resumed.r.epochs)).toEqual(strip(straight.r.epochs));
    expect(resumed.r.steps).toBe(straight.r.steps);
  });

  it('writes PyTorch stateDict keys in model.safetensors and refuses a torn or mismatched checkpoint', async () => {
    const dir = join(tmp(), 'ckpt');
    await run(1, { checkpoint: dir });
    const st = d.load(join(dir, 'model.safetensors'));
    expect(Object.keys(st)).toEqual(['1.weight', '1.bias', '4.weight', '4.bias']);
    d.dispose(Object.values(st));
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ ...state, step: state.step + 1 }));
    await expect(run(2, { resume: dir })).rejects.toThrow(/from step 6, state\.json from step 7/);
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ ...state, loader: { ...state.loader, seed: 1 } }));
    await expect(run(2, { resume: dir })).rejects.toThrow(/needs the same loader/);
    await expect(run(2, { resume: join(dir, 'nope') })).rejects.toThrow(/cannot read/);
  });

  it('a refused resume leaves model, optimizer and scheduler as they were', async () => {
    const dir = join(tmp(), 'ckpt');
    await run(1, { checkpoint: dir });
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    state.optimizer.paramGroups[0].momentum = 0.9; // Adam has no 'momentum'
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
    const p = problem(9);
    const opt = new d.optim.Adam(p.model.parameters(), { lr: 0.01 });
    const scheduler = new d.optim.lrScheduler.CosineAnnealingLR(opt, { TMax: 3 });
    const [bits, sched, mem] = [paramBits(p.model), JSON.stringify(scheduler.stateDict()), d.memory().wasm.tensors];
    await expect(d.train.fit(p.model, opt, { train: p.train, epochs: 2, scheduler, resume: dir })).rejects.toThrow(/has option 'momentum'/);
    expect([paramBits(p.model), JSON.stringify(scheduler.stateDict()), opt.state.size, d.memory().wasm.tensors]).toEqual([bits, sched, 0, mem]);
    p.dispose();
  });
});

describe('fit rejects bad options before doing anything', () => {
  const cases: [string, (p: ReturnType<typeof problem>, opt: d.optim.Optimizer) => object, RegExp][] = [
    ['unknown option', (p) => ({ train: p.train, epochs: 1, epoch: 2 }), /unknown option 'epoch'/],
    ['epochs 0', (p) => ({ train: p.train, epochs: 0 }), /epochs must be a positive integer, got 0/],
    ['train not a loader', () => ({ train: [], epochs: 1 }), /train must be a DataLoader/],
    ['clipGradNorm -1', (p) => ({ train: p.train, epochs: 1, clipGradNorm: -1 }), /clipGradNorm must be a finite number > 0, got -1/],
    ['metrics', (p) => ({ train: p.train, epochs: 1, metrics: ['f1'] }), /metrics must be a list/],
    ['early stopping without val', (p) => ({ train: p.train, epochs: 1, earlyStopping: { monitor: 'valLoss', patience: 1 } }), /needs a val loader/],
    ['early stopping monitor not computed', (p) => ({ train: p.train, val: p.val, epochs: 1, metrics: ['loss'], earlyStopping: { monitor: 'valAccuracy', patience: 1 } }), /do not compute/],
    ['early stopping mode', (p) => ({ train: p.train, val: p.val, epochs: 1, earlyStopping: { monitor: 'valLoss', patience: 1, mode: 'up' } }), /mode must be 'min' or 'max', got up/],
    ['schedulerStep without scheduler', (p) => ({ train: p.train, epochs: 1, schedulerStep: 'batch' }), /without a scheduler/],
    ['plateau per batch', (p, o) => ({ train: p.train, val: p.val, epochs: 1, scheduler: new d.optim.lrScheduler.ReduceLROnPlateau(o), schedulerStep: 'batch' }), /does not apply/],
    ['scheduler of another optimizer', (p) => ({ train: p.train, epochs: 1, scheduler: new d.optim.lrScheduler.StepLR(new d.optim.SGD(p.model.parameters(), { lr: 1 }), { stepSize: 1 }) }), /must drive the optimizer/],
    ['checkpoint every 0', (p) => ({ train: p.train, epochs: 1, checkpoint: { path: join(tmp(), 'c'), every: 0 } }), /every must be a positive integer/],
    ['unwritable checkpoint', (p) => ({ train: p.train, epochs: 1, checkpoint: { path: '/proc/nope/c' } }), /cannot be written/],
    ['maxSteps 1.5', (p) => ({ train: p.train, epochs: 1, maxSteps: 1.5 }), /maxSteps must be a positive integer, got 1.5/],
  ];
  for (const [name, opts, message] of cases) {
    it(name, async () => {
      const p = problem(10);
      const opt = new d.optim.SGD(p.model.parameters(), { lr: 0.1 });
      const before = paramBits(p.model);
      const o = opts(p, opt);
      const mem = d.memory().wasm.tensors;
      await expect(d.train.fit(p.model, opt, o as d.train.FitOptions)).rejects.toThrow(message);
      expect(d.memory().wasm.tensors).toBe(mem);
      expect(paramBits(p.model)).toEqual(before);
      const path = (o as { checkpoint?: { path: string } }).checkpoint?.path;
      if (path !== undefined) expect(existsSync(path)).toBe(false);
      p.dispose();
    });
  }
});
