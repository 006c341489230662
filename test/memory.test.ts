// Lifetime: tidy frees what it made, views share reference-counted storage, and memory()
// returns to where it started after 10,000 ops.

import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { readmeLoop } from './helpers/readme-loop.mjs';
import v8 from 'node:v8';
import vm from 'node:vm';

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

test.each(['wasm', 'reference'] as const)('10,000 ops inside tidy leave memory flat (%s)', (device) => {
  const w = d.randn([16, 16], { device });
  const start = d.memory()[device];
  for (let i = 0; i < 100; i++) {
    d.tidy(() => {
      let x = d.randn([8, 16], { device });
      for (let j = 0; j < 25; j++) {
        x = x.matmul(w).tanh().add(1).mul(0.5).transpose().contiguous().transpose().reshape([8, 16]);
        x = d.cat([x.slice(0, 0, 4), x.slice(0, 4)]).sum(1, { keepdim: true }).expand([8, 16]).div(16);
      }
      return x.mean();
    }).dispose();
  }
  expect(d.memory()[device]).toEqual(start);
  w.dispose();
});

test('tidy keeps what fn returns (arrays, objects, Maps), moves it to the outer scope', () => {
  const start = d.memory().wasm;
  const outer = d.tidy(() => {
    const inner = d.tidy(() => {
      const a = d.ones([3]);
      const b = a.add(1);
      return { b, list: [b.mul(2)], m: new Map([['c', b.sub(1)]]) };
    });
    expect(inner.b.toArray()).toEqual([2, 2, 2]);
    return inner.list[0];
  });
  expect(outer.toArray()).toEqual([4, 4, 4]);
  expect(d.memory().wasm.tensors).toBe(start.tensors + 1);
  outer.dispose();
  expect(d.memory().wasm).toEqual(start);
});

test('keep() exempts a tensor; dispose() frees nested containers; errors inside tidy still free', () => {
  const start = d.memory().wasm;
  let kept: d.Tensor | null = null;
  d.tidy(() => {
    kept = d.keep(d.zeros([4]));
    d.ones([4]);
  });
  expect(d.memory().wasm.tensors).toBe(start.tensors + 1);
  d.dispose({ kept, more: [d.ones([2])] });
  expect(d.memory().wasm).toEqual(start);
  expect(() => d.tidy(() => { d.ones([9]); throw new Error('boom'); })).toThrow('boom');
  expect(d.memory().wasm).toEqual(start);
});

test('views share storage: bytes are freed with the last view', () => {
  const start = d.memory().wasm;
  const x = d.zeros([1000]);
  const r = x.reshape([10, 100]);
  const v = r.transpose();
  x.dispose();
  r.dispose();
  expect(d.memory().wasm.bytes).toBe(start.bytes + 4000);
  v.dispose();
  expect(d.memory().wasm).toEqual(start);
});

test('Symbol.dispose frees at scope exit', () => {
  const start = d.memory().wasm;
  {
    using t = d.ones([5]);
    expect(d.tidy(() => t.sum().item())).toBe(5);
  }
  expect(d.memory().wasm.bytes).toBe(start.bytes);
});

/** Garbage-collects (and lets FinalizationRegistry callbacks run) 50 times 10 ms, or until done(). */
async function collect(done: () => boolean = () => false): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let i = 0; i < 50 && !done(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

const trainingLoop = () => readmeLoop(d);

test('a training loop without tidy keeps memory() flat over 2,000 steps', () => {
  const { step } = trainingLoop();
  for (let i = 0; i < 10; i++) step();
  const settled = d.memory().wasm;
  let last = Infinity;
  for (let i = 0; i < 2000; i++) last = step().lossValue;
  expect(d.memory().wasm).toEqual(settled);
  expect(last).toBeLessThan(0.01);
});

test('the step sweep never frees what a user holds: old losses and outputs stay readable and usable', () => {
  const { step, model, x } = trainingLoop();
  const held = Array.from({ length: 5 }, () => step());
  for (let i = 0; i < 5; i++) step();
  for (const { out, loss, lossValue } of held) {
    expect(loss.isParked && out.isParked).toBe(true);
    expect(loss.isDisposed).toBe(false);
    expect([loss.device, loss.dtype, out.shape]).toEqual(['wasm', 'f32', [64, 1]]);
    expect(loss.item()).toBe(lossValue);
  }
  // Used in an op, a parked tensor is copied back to its device and computes as before.
  const { out } = held[4];
  const expected = Array.from(out.dataSync(), (v) => v * 2);
  const doubled = d.tidy(() => out.mul(2));
  expect(Array.from(doubled.dataSync())).toEqual(expected);
  expect(out.isParked).toBe(false);
  expect(out.isDisposed).toBe(false);
  expect(out.device).toBe('wasm');
  d.dispose([doubled, held.map((h) => [h.out, h.loss]), model.parameters(), x]);
});

test('the step sweep leaves a graph not yet backpropagated, views sharing storage and kept tensors', () => {
  const { nn, optim } = d;
  const w = d.randn([3, 2], { requiresGrad: true });
  const opt = new optim.SGD([w], { lr: 0.1 });
  w.grad = d.onesLike(w);
  opt.step();                                        // the first step opens the nursery
  const loss = d.randn([5, 3]).matmul(w).square().mean();
  const base = d.randn([6]);
  const view = base.reshape([2, 3]);
  const kept = d.keep(d.randn([2]));
  opt.step();
  expect([loss.isParked, base.isParked, view.isParked, kept.isParked]).toEqual([false, false, false, false]);
  loss.backward();                                   // the graph survived the step
  expect(w.grad!.shape).toEqual([3, 2]);
  opt.step();
  expect(loss.isParked).toBe(true);
  expect(nn.functional.mseLoss(loss, d.zerosLike(loss)).item()).toBeCloseTo(loss.item() ** 2, 5);
  d.dispose([w, loss, base, view, kept]);
});

test('after training, an evaluation loop without tidy or step() stays bounded, and what it returned stays readable', () => {
  const { model, step, x } = readmeLoop(d);
  step();
  step();
  const outs: d.Tensor[] = [];
  const start = d.memory().wasm.tensors;
  for (let i = 0; i < 3000; i++) outs.push(d.noGrad(() => model.call(x).add(1)));
  expect(d.memory().wasm.tensors - start).toBeLessThan(4096 + 10);
  expect(outs.filter((t) => t.isParked).length).toBeGreaterThan(1000);
  expect(Array.from(outs[0].dataSync())).toEqual(Array.from(outs[2999].dataSync()));
  d.dispose([outs, model.parameters(), x]);
});

test.each([['wasm', 'f16'], ['wasm', 'bf16'], ['wasm', 'i32'], ['reference', 'f64']] as const)(
  'a parked %s %s tensor reads back its exact values and computes after its copy back', (device, dtype) => {
    const { step, model, x } = readmeLoop(d);
    step();
    const t = d.tensor([1.5, -2.25, 3, 1e4, -0], { device, dtype });
    const before = Array.from(t.dataSync());
    step();
    expect(t.isParked).toBe(true);
    expect([t.device, t.dtype, t.shape]).toEqual([device, dtype, [5]]);
    expect(Array.from(t.dataSync())).toEqual(before);
    const doubled = d.tidy(() => t.mul(2));
    expect(Array.from(doubled.dataSync())).toEqual(before.map((v) => v * 2));
    expect(t.isParked).toBe(false);
    d.dispose([t, doubled, model.parameters(), x]);
  });

test('async code is swept at the end of its job: a dropped tensor gives its device memory back, a held one stays readable', async () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 10));
  let model: d.nn.Module, x: d.Tensor;
  {
    const loop = readmeLoop(d);
    loop.step();
    ({ model, x } = loop); // the optimizer and the target become garbage here, not mid-test
  }
  // the step's loss and output are parked at the end of this job; then every dropped handle (this
  // test's and earlier tests') is collected, so no finalizer can free device memory mid-test
  await collect();
  const start = d.memory().wasm;
  const held = d.arange(0, 1000);
  d.arange(0, 2000);                                   // dropped
  expect(d.memory().wasm.bytes).toBe(start.bytes + 12000);
  await tick();
  expect(d.memory().wasm).toEqual(start);
  expect(held.isParked).toBe(true);
  expect(held.sum().item()).toBe(499500);
  d.dispose([held, model.parameters(), x]);
});

test.each(['wasm', 'reference'] as const)('composites keep no intermediate after backward and dispose (%s)', (device) => {
  const F = d.nn.functional;
  const x = d.randn([4, 3], { device, requiresGrad: true });
  const target = d.tensor([0, 1, 2, 0], { dtype: 'i32', device });
  const zero = d.zerosLike(x);
  const lin = new d.nn.Linear(3, 2, { device });
  const grads = [x, ...lin.parameters()];
  const start = d.memory()[device];
  const calls: [string, () => d.Tensor][] = [
    ['unfused crossEntropy', () => F.crossEntropy(x, target, { labelSmoothing: 0.1 })],
    ['crossEntropy', () => F.crossEntropy(x, target)],
    ['layerNorm', () => F.layerNorm(x, [3])],
    ['softmax', () => F.softmax(x, 1)],
    ['mseLoss', () => F.mseLoss(x, zero)],
    ['Linear.call', () => lin.call(x)],
    ['binaryCrossEntropyWithLogits', () => F.binaryCrossEntropyWithLogits(x, zero)],
    ['std', () => x.std(0)],
  ];
  for (const [name, call] of calls) {
    const out = call();
    const seed = d.onesLike(out);
    out.backward(seed);
    d.dispose([out, seed]);
    for (const t of grads) { t.grad?.dispose(); t.grad = null; }
    expect(d.memory()[device], name).toEqual(start);
  }
  d.dispose([x, target, zero]);
  lin.dispose();
});

const DEVICES = ['wasm', 'reference'] as const;

/** Runs fn on inputs made beforehand; the result (or error) must leave memory() as it was. */

function expectFlat(device: (typeof DEVICES)[number], fn: () => unknown, throws: boolean): void {
  const before = d.memory()[device];
  let result: unknown;
  if (throws) expect(() => fn()).toThrow(d.DescentError);
  else result = fn();
  d.dispose(result);
  expect(d.memory()[device]).toEqual(before);
}

describe.each(DEVICES)('no leaked temporaries (%s)', (device) => {
  test('composed ops free their inner steps outside tidy', () => {
    const f = d.tensor([1, 2, 4], { device });
    const i = d.tensor([1, 2, 4], { dtype: 'i32', device });
    const m = d.tensor([[1, 2], [3, 4]], { device });
    const f2 = d.tensor([1, 2], { device });
    const fIdx = d.tensor([[0], [1]], { dtype: 'f32', device });
    const iIdx = d.tensor([[1, 0]], { dtype: 'i32', device });
    const one = d.ones([1, 2], { device });
    const cases: (() => unknown)[] = [
      () => f.mean(), () => i.mean(), () => f.var(), () => f.std(), () => d.norm(f), () => d.norm(f, 3),
      () => d.norm(f, Infinity), () => d.norm(f, 1), () => d.logsumexp(m, 1), () => d.matmul(f2, m),
      () => d.matmul(m, f2), () => d.matmul(f, f), () => d.gather(m, 1, fIdx),
      () => d.indexSelect(m, 0, [1, 1, 0]), () => d.scatterAdd(m, 0, iIdx, one),
    ];
    for (const c of cases) expectFlat(device, c, false);
    d.dispose([f, i, m, f2, fIdx, iIdx, one]);
  });

  test('rejected calls leave memory() unchanged', () => {
    const f = d.tensor([1, 2, 3], { device });
    const i = d.tensor([1, 2, 3], { dtype: 'i32', device });
    const m = d.tensor([[1, 2], [3, 4]], { device });
    const c2 = d.tensor([1, 0], { device });
    const idx = d.tensor([[1, 0]], { dtype: 'i32', device });
    const fIdx2 = d.tensor([[1]], { dtype: 'f32', device });
    const fIdx3 = d.tensor([[1, 0, 1]], { dtype: 'f32', device });
    const src64 = d.tensor([[1, 2]], { dtype: 'f64', device });
    const cases: (() => unknown)[] = [
      () => d.pow(i, -1), // lifted scalar, then INVALID_DATA
      () => d.where(c2, f, 0), // lifted scalar, then SHAPE_MISMATCH
      () => d.matmul(f, m), // 1-D operand's matrix view, then SHAPE_MISMATCH
      () => d.gather(m, 0, [1, 0]), // index tensor made from the array, then SHAPE_MISMATCH
      () => d.indexSelect(m, 0, fIdx2), // cast index, then SHAPE_MISMATCH
      () => d.scatterAdd(m, 0, fIdx3, m), // cast index, then SHAPE_MISMATCH
      () => d.scatterAdd(m, 0, idx, src64),
    ];
    for (const c of cases) expectFlat(device, c, true);
    d.dispose([f, i, m, c2, idx, fIdx2, fIdx3, src64]);
  });
});

test('a tensor dropped without dispose() leaves memory() whole once collected (tensors and bytes)', async () => {
  await collect(); // earlier tests' dropped handles go first
  const start = d.memory().reference;
  (() => { d.ones([1000], { device: 'reference' }).add(1); })();
  expect(d.memory().reference.bytes).toBe(start.bytes + 8000);
  await collect(() => d.memory().reference.bytes === start.bytes);
  expect(d.memory().reference).toEqual(start);
});

test('a kernel that throws leaves no cast temporaries or half-made outputs behind', () => {
  const h = d.tensor([1, 2], { dtype: 'f16', device: 'reference' });
  const m = d.tensor([[1, 2], [3, 4]], { dtype: 'bf16', device: 'reference' });
  const backend = h.backend as unknown as Record<string, unknown>;
  const saved = { unary: backend.unary, matmul: backend.matmul, reduce: backend.reduce, copy: backend.copy };
  const boom = () => { throw new d.DescentError('OUT_OF_MEMORY', 'injected kernel failure'); };
  const f32 = d.tensor([1, 2], { device: 'reference' });
  Object.assign(backend, { unary: boom, matmul: boom, reduce: boom, copy: boom });
  try {
    const start = d.memory().reference;
    expect(() => d.cat([h, f32])).toThrow('injected kernel failure');
    expect(() => d.clone(h)).toThrow('injected kernel failure');
    expect(() => d.exp(h)).toThrow('injected kernel failure');
    expect(() => d.matmul(m, m)).toThrow('injected kernel failure');
    expect(() => d.sum(m, 1)).toThrow('injected kernel failure');
    expect(d.memory().reference).toEqual(start);
  } finally {
    Object.assign(backend, saved);
  }
  const r = [d.exp(h), d.matmul(m, m), d.sum(m, 1)];
  expect(r.map((t) => t.dtype)).toEqual(['f16', 'bf16', 'bf16']);
  expect(r[1].toArray()).toEqual([[7, 10], [15, 22]]);
  d.dispose([h, m, r, f32]);
});

test('a tensor used across steps is copied back twice at most, then stays on its device', () => {
  const { step, model, x } = readmeLoop(d);
  step();
  const g = d.randn([1000]);                          // made after the first step, used every step
  step();
  expect(g.isParked).toBe(true);
  d.tidy(() => g.mul(2).sum().item());                // copied back once: it may still be dropped
  step();
  expect(g.isParked).toBe(true);
  for (let i = 0; i < 3; i++) {                       // copied back again: live, no more round trips
    d.tidy(() => g.mul(2).sum().item());
    step();
    expect(g.isParked).toBe(false);
  }
  d.dispose([g, model.parameters(), x]);
});
