// Training-loop properties of every optimizer, on the composed (reference) and fused (wasm f32)
// paths: memory stays flat over many steps, and per-group options act exactly like separate
// optimizers built with those options.
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import type { Tensor } from '../ts/tensor.js';
import * as optim from '../ts/optim/index.js';
import * as nn from '../ts/nn/index.js';

beforeAll(async () => {
  await d.init({ device: 'wasm', build: 'simd' });
});

describe('memory stays flat over 50 training steps', () => {
  const makers: [string, (ps: Tensor[]) => optim.Optimizer][] = [
    ['SGD momentum', (p) => new optim.SGD(p, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
    ['Adam', (p) => new optim.Adam(p)],
    ['AdamW amsgrad', (p) => new optim.AdamW(p, { amsgrad: true })],
    ['RMSprop centered momentum', (p) => new optim.RMSprop(p, { lr: 1e-3, centered: true, momentum: 0.9 })],
    ['Adagrad', (p) => new optim.Adagrad(p)],
    ['Adadelta', (p) => new optim.Adadelta(p)],
    ['NAdam', (p) => new optim.NAdam(p)],
    ['RAdam', (p) => new optim.RAdam(p)],
    ['Adamax', (p) => new optim.Adamax(p)],
    ['Lion', (p) => new optim.Lion(p)],
    ['Muon', (p) => new optim.Muon(p.filter((x) => x.ndim === 2))],
    ['Shampoo', (p) => new optim.Shampoo(p, { grafting: 'adam' })],
    ['LBFGS', (p) => new optim.LBFGS(p, { historySize: 5, maxIter: 3 })],
  ];
  // reference f64/f32 run the composed transformations; wasm f32 the fused kernels where they exist.
  for (const [device, dtype] of [['reference', 'f64'], ['reference', 'f32'], ['wasm', 'f32']] as const) {
    for (const [name, mk] of makers) {
      it(`${name} ${device} ${dtype}`, () => {
        d.manualSeed(0);
        const f = { dtype, device };
        const model = new nn.Sequential(new nn.Linear(4, 8, f), new nn.ReLU(), new nn.Linear(8, 3, f));
        const x = d.randn([16, 4], f), y = d.randn([16, 3], f);
        const opt = mk(model.parameters());
        const closure = (): Tensor => {
          opt.zeroGrad();
          const l = d.tidy(() => model.call(x).sub(y).square().mean());
          l.backward();
          return l;
        };
        const seen: { tensors: number; bytes: number }[] = [];
        for (let s = 0; s < 50; s++) {
          if (name === 'LBFGS') (opt.step(closure) as Tensor).dispose();
          else { const l = closure(); opt.step(); l.dispose(); }
          const m = d.memory()[device];
          seen.push({ tensors: m.tensors, bytes: m.bytes });
        }
        expect(seen[49]).toEqual(seen[5]);
        model.dispose();
        x.dispose(); y.dispose();
      });
    }
  }
});

describe('per-group options override the defaults (one optimizer, two groups = two optimizers)', () => {
  const cases: [string, (ps: optim.ParamsInput, o: Record<string, unknown>) => optim.Optimizer, Record<string, unknown>, Record<string, unknown>][] = [
    ['SGD', (p, o) => new optim.SGD(p, o), { lr: 0.1, momentum: 0.9 }, { lr: 0.01, weightDecay: 0.1, nesterov: true }],
    ['Adam', (p, o) => new optim.Adam(p, o), { lr: 1e-2 }, { lr: 1e-3, weightDecay: 0.1, amsgrad: true, betas: [0.8, 0.9] }],
    ['AdamW', (p, o) => new optim.AdamW(p, o), { lr: 1e-2 }, { weightDecay: 0.3, eps: 1e-3 }],
    ['RMSprop', (p, o) => new optim.RMSprop(p, o), { lr: 1e-2 }, { centered: true, momentum: 0.5, alpha: 0.9 }],
    ['Adagrad', (p, o) => new optim.Adagrad(p, o), { lr: 1e-2 }, { lrDecay: 0.1, weightDecay: 0.2 }],
    ['Lion', (p, o) => new optim.Lion(p, o), { lr: 1e-3 }, { weightDecay: 0.5, betas: [0.5, 0.9] }],
  ];
  for (const device of ['reference', 'wasm'] as const) {
    for (const [name, mk, defaults, override] of cases) {
      it(`${name} on ${device}`, () => {
        d.manualSeed(1);
        const init = [d.randn([4, 3]), d.randn([5])];
        const fresh = (): Tensor[] => init.map((t) => { const p = d.keep(d.tidy(() => t.to(device).clone())); p.requiresGrad = true; return p; });
        const [a0, a1] = fresh(), [b0, b1] = fresh();
        const grouped = mk([{ params: [a0] }, { params: [a1], ...override }], defaults);
        const first = mk([b0], defaults), second = mk([b1], { ...defaults, ...override });
        for (let s = 0; s < 5; s++) {
          const gs = [d.randn([4, 3]), d.randn([5])];
          for (const [p, g] of [[a0, gs[0]], [b0, gs[0]], [a1, gs[1]], [b1, gs[1]]] as const) {
            p.grad?.dispose();
            p.grad = d.keep(d.tidy(() => g.to(device).clone()));
          }
          grouped.step(); first.step(); second.step();
        }
        expect(Array.from(a0.dataSync())).toEqual(Array.from(b0.dataSync()));
        expect(Array.from(a1.dataSync())).toEqual(Array.from(b1.dataSync()));
        expect(Array.from(a1.dataSync())).not.toEqual(Array.from(fresh()[1].dataSync()));
      });
    }
  }
});
