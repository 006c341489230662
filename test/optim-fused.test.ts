// The fused wasm update path (ts/optim/fused.ts + assembly/f32-*): on the wasm device f32
// optimizers take it automatically; it must match PyTorch's f32 trajectories like the composed
// path does, agree with the composed chain to f32 rounding, and interleave with it on one state.
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import * as optim from '../ts/optim/index.js';
import type { Tensor } from '../ts/tensor.js';
import { loadFixture, makeParams, relErr, setGrads, type OptimCase } from './optim-problems.js';
import { POOL_MIN_UPDATE, setPoolMinUpdate } from '../ts/backend/wasm/fused.js';

beforeAll(async () => {
  await d.init({ device: 'wasm', build: 'simd' });
});

type Make = (ps: Tensor[], o: Record<string, unknown>) => optim.Optimizer;
const FAMILIES: [string, Make][] = [
  ['sgd', (ps, o) => new optim.SGD(ps, o)], ['adam', (ps, o) => new optim.Adam(ps, o)],
  ['adamw', (ps, o) => new optim.AdamW(ps, o)], ['adagrad', (ps, o) => new optim.Adagrad(ps, o)],
  ['rmsprop', (ps, o) => new optim.RMSprop(ps, o)],
];

function run(make: Make, c: OptimCase, fx: ReturnType<typeof loadFixture>, fusedAt: (k: number) => boolean): Tensor[] {
  const ps = makeParams(c, fx.problems);
  const opt = make(ps, c.options);
  c.traj.forEach((_, k) => {
    setGrads(ps, fx.problems, c);
    const prev = optim.setFusedUpdates(fusedAt(k));
    opt.step();
    optim.setFusedUpdates(prev);
  });
  return ps;
}

describe('fused kernels on the wasm device', () => {
  for (const [name, make] of FAMILIES) {
    const fx = loadFixture(name);
    for (const c of fx.cases.filter((x) => x.dtype === 'float32')) {
      it(`${c.optimizer} ${JSON.stringify(c.options)} ${c.problem}: torch trajectory to 1e-5 through the fused path`, () => {
        const ps = makeParams(c, fx.problems);
        expect(ps[0].device).toBe('wasm');
        const opt = make(ps, c.options);
        const before = optim.fusedCalls();
        c.traj.forEach((want, k) => {
          setGrads(ps, fx.problems, c);
          opt.step();
          const err = relErr(ps, want);
          if (!(err <= 1e-5)) expect.fail(`step ${k + 1}: relative error ${err}`);
        });
        expect(optim.fusedCalls() - before).toBeGreaterThanOrEqual(c.traj.length);
      });
      it(`${c.optimizer} ${JSON.stringify(c.options)} ${c.problem}: fused = composed, also interleaved`, () => {
        const composed = run(make, c, fx, () => false);
        const fused = run(make, c, fx, () => true);
        const mixed = run(make, c, fx, (k) => k % 3 === 1);
        // The kernels fold scalars (Adam: lr/bc1 in one factor) where the chain applies them link by
        // link, so the paths differ by f32 roundings that 25 steps grow to a few 1e-6.
        for (const other of [fused, mixed]) {
          const err = relErr(other, composed.flatMap((p) => Array.from(p.dataSync())));
          expect(err).toBeLessThan(1e-5);
        }
      });
    }
  }

  it('Lion: fused = composed', () => {
    const fx = loadFixture('adam');
    const c = fx.cases.find((x) => x.dtype === 'float32' && x.problem === 'softmax')!;
    const make: Make = (ps) => new optim.Lion(ps, { lr: 0.01, weightDecay: 0.1, betas: [0.8, 0.95] });
    const composed = run(make, c, fx, () => false);
    const fused = run(make, c, fx, () => true);
    expect(relErr(fused, composed.flatMap((p) => Array.from(p.dataSync())))).toBeLessThan(1e-6);
  });

  it('the gradient quantizer hook also feeds the fused path', () => {
    const p = d.zeros([5], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    opt.gradientQuantizer = (g) => g.mul(4).round().div(4);
    p.grad = d.tensor([0.3, -0.62, 0.1, 1.9, -0.13]);
    const before = optim.fusedCalls();
    opt.step();
    expect(optim.fusedCalls()).toBe(before + 1);
    expect(Array.from(p.dataSync())).toEqual([-0.25, 0.5, 0, -2, 0.25]);
    expect(Array.from(p.grad.dataSync())).toEqual(Array.from(Float32Array.from([0.3, -0.62, 0.1, 1.9, -0.13])));
  });

  it('non-contiguous gradients fall back to the composed path', () => {
    const p = d.zeros([2, 3], { requiresGrad: true });
    const opt = new optim.Adam([p], { lr: 0.1 });
    p.grad = d.ones([3, 2]).transpose(0, 1);
    const before = optim.fusedCalls();
    opt.step();
    expect(optim.fusedCalls()).toBe(before);
    expect(Array.from(p.dataSync()).every((v) => Math.abs(v + 0.1) < 1e-6)).toBe(true);
  });

  it('a fused kernel finds its state by link name, so a wrapped and extended chain stays in step', () => {
    // The Adam chain nested one level down behind an extra leading link: every chain position moves.
    class WrappedAdam extends optim.Adam {
      protected override makeTransform(g: optim.ParamGroup): optim.GradientTransformation {
        return optim.chain(optim.scale(1), super.makeTransform(g));
      }
    }
    const fx = loadFixture('adam');
    const c = fx.cases.find((x) => x.dtype === 'float32' && x.problem === 'softmax')!;
    const plain = run((ps, o) => new optim.Adam(ps, o), c, fx, () => false);
    const before = optim.fusedCalls();
    const wrapped = run((ps, o) => new WrappedAdam(ps, o), c, fx, (k) => k % 2 === 0);
    expect(optim.fusedCalls() - before).toBeGreaterThan(0);
    expect(relErr(wrapped, plain.flatMap((p) => Array.from(p.dataSync())))).toBeLessThan(1e-5);
  });

  it('linkStates names the link it cannot find, or finds twice', () => {
    const tx = optim.chain(optim.trace({ decay: 0.9 }), optim.scale(2), optim.trace({ decay: 0.5 }));
    const states = [tx.init(d.zeros([2]))];
    expect(() => optim.linkStates(tx, states, 'trace')).toThrow(/expected one 'trace' link in chain\(trace, scale, trace\), found 2/);
    expect(() => optim.linkStates(tx, states, 'scaleByAdam')).toThrow(/found 0/);
    expect(optim.linkStates(tx, states, 'scale')).toEqual([states[0]['1']]);
  });
});

describe('the fused update on the thread pool', () => {
  it('gives 1, 2 and 3 threads the same bits (updates of ≥ POOL_MIN_UPDATE elements split into records the threads claim)', async () => {
    // one tensor above the threshold with an odd tail, and a small one riding along in the same step
    const sizes = [POOL_MIN_UPDATE + 16387, 37];
    const bits: number[][][] = [];
    try {
      for (const threads of [1, 2, 3]) {
        await d.init({ device: 'wasm', build: 'simd', threads });
        expect(d.backendInfo()?.threads).toBe(threads);
        d.manualSeed(5);
        const ps = sizes.map((n) => d.randn([n], { requiresGrad: true }));
        const opts = [new optim.Adam(ps, { lr: 1e-2, amsgrad: true, weightDecay: 0.1 }), new optim.RMSprop(ps, { lr: 1e-3, momentum: 0.9 })];
        for (const opt of opts) {
          for (let k = 0; k < 3; k++) {
            ps.forEach((p) => { p.grad?.dispose(); p.grad = d.randn(p.shape); });
            opt.step();
          }
        }
        bits.push(ps.map((p) => Array.from(new Uint32Array(Float32Array.from(p.dataSync()).buffer))));
        d.dispose(ps);
      }
    } finally {
      await d.init({ device: 'wasm', build: 'simd', threads: 1 });
    }
    expect(bits[1]).toEqual(bits[0]);
    expect(bits[2]).toEqual(bits[0]);
  });

  it('splits every update when the threshold is set to 0, with the same bits (setPoolMinUpdate, for the optim bench)', async () => {
    const bits: number[][] = [];
    try {
      for (const [threads, threshold] of [[1, POOL_MIN_UPDATE], [2, 0]]) {
        await d.init({ device: 'wasm', build: 'simd', threads });
        const prev = setPoolMinUpdate(threshold);
        try {
          d.manualSeed(9);
          const p = d.randn([40003], { requiresGrad: true });
          const opt = new optim.Adam([p], { lr: 1e-2 });
          for (let k = 0; k < 2; k++) { p.grad?.dispose(); p.grad = d.randn(p.shape); opt.step(); }
          bits.push(Array.from(new Uint32Array(Float32Array.from(p.dataSync()).buffer)));
          d.dispose([p]);
        } finally {
          setPoolMinUpdate(prev);
        }
      }
    } finally {
      await d.init({ device: 'wasm', build: 'simd', threads: 1 });
    }
    expect(bits[1]).toEqual(bits[0]);
  });

  it('rejects a negative update threshold and keeps the old one', () => {
    expect(() => setPoolMinUpdate(-1)).toThrow(/setPoolMinUpdate: expected a number of elements ≥ 0, got -1/);
    expect(setPoolMinUpdate(POOL_MIN_UPDATE)).toBe(POOL_MIN_UPDATE);
  });
});
