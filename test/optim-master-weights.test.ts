// masterWeights: 'remainder': bf16 parameters whose f32 master lives in the parameter's bits and a
// 16-bit remainder; the masters follow the f32 run bit for bit where a plain bf16 update stalls;
// on webgpu the halves are joined and split on the device, with wasm's bits.

import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { joinMaster } from '../ts/optim/master-weights.js';
import { initSoftwareGpu } from './helpers/gpu.js';

await d.init({ device: 'wasm' });
beforeAll(() => initSoftwareGpu().then(() => d.init({ device: 'wasm' }))); // wasm stays the default device
const { optim } = d;

type Make = (p: d.Tensor[], o: Record<string, unknown>) => d.optim.Optimizer;
const OPTIMIZERS: [string, Make][] = [
  ['Adam', (p, o) => new optim.Adam(p, { lr: 1e-4, ...o })],
  ['AdamW', (p, o) => new optim.AdamW(p, { lr: 1e-4, ...o })],
  ['SGD momentum', (p, o) => new optim.SGD(p, { lr: 1e-4, momentum: 0.9, ...o })],
  ['Lion', (p, o) => new optim.Lion(p, { lr: 1e-5, weightDecay: 0.1, ...o })],
];

/** 333 starting values and 12 gradients, all bf16-representable (so both runs start and step alike). */
function problem(): { start: Float32Array; grads: Float32Array[] } {
  d.manualSeed(5);
  const bf = (t: d.Tensor) => d.tidy(() => t.to('bf16').to('f32').dataSync() as Float32Array);
  return { start: bf(d.randn([333]).add(2)), grads: Array.from({ length: 12 }, () => bf(d.randn([333]))) };
}

/** Runs the gradients through an optimizer on a parameter of `dtype`; calls `each` after every step. */
function run(make: Make, dtype: 'f32' | 'bf16', o: Record<string, unknown>, each: (w: d.Tensor, opt: d.optim.Optimizer) => void): d.Tensor {
  const { start, grads } = problem();
  const w = d.tensor(start, { dtype, requiresGrad: true });
  const opt = make([w], o);
  for (const g of grads) {
    w.grad = d.tensor(g, { dtype });
    opt.step();
    opt.zeroGrad();
    each(w, opt);
  }
  return w;
}

describe("masterWeights: 'remainder'", () => {
  test.each(OPTIMIZERS)('%s: bf16 weights + remainder follow the f32 trajectory bit for bit; plain bf16 weights stall', (_, make) => {
    const f32: Float32Array[] = [];
    const ref = run(make, 'f32', {}, (w) => f32.push(w.dataSync() as Float32Array));
    const { start } = problem();
    const moved = (v: Float32Array) => v.filter((x, i) => x !== start[i]).length;
    let step = 0, before = 0, masterMoved = 0;
    const low = run(make, 'bf16', { masterWeights: 'remainder' }, (w, opt) => {
      const master = joinMaster(w, opt.state.get(w)!.remainder as d.Tensor);
      const mv = master.dataSync() as Float32Array;
      expect(Array.from(mv), `master at step ${step}`).toEqual(Array.from(f32[step]));
      // the bf16 weight is the master rounded to nearest
      const nearest = d.kernels.bf16ToF32(d.kernels.f32ToBf16(mv));
      w.dataSync().forEach((v, i) => expect(Math.abs(v - mv[i])).toBeLessThanOrEqual(Math.abs(nearest[i] - mv[i])));
      masterMoved = moved(mv);
      master.dispose();
      if (step === 1) before = d.memory().wasm.bytes;
      step += 1;
    });
    expect(d.memory().wasm.bytes, 'memory flat over steps').toBe(before);
    const plain = run(make, 'bf16', {}, () => {});
    expect(masterMoved, 'the masters move').toBeGreaterThan(300);
    expect(moved(plain.dataSync() as Float32Array), 'plain bf16 weights stall: most updates are below half an ulp').toBeLessThan(masterMoved / 10);
    d.dispose([ref, low, plain]);
  });

  test.each(['bf16', '8bit'] as const)('with stateDtype %s the masters follow the f32 run with that state', (stateDtype) => {
    const adam: Make = (p, o) => new optim.Adam(p, { lr: 1e-4, stateDtype, ...o });
    const f32: Float32Array[] = [];
    let step = 0;
    // problem() reseeds: the bf16 state's stochastic rounding draws the same words in both runs
    const ref = run(adam, 'f32', {}, (w) => f32.push(w.dataSync() as Float32Array));
    const low = run(adam, 'bf16', { masterWeights: 'remainder' }, (w, opt) => {
      const master = joinMaster(w, opt.state.get(w)!.remainder as d.Tensor);
      expect(Array.from(master.dataSync()), `master at step ${step++}`).toEqual(Array.from(f32[step - 1]));
      master.dispose();
    });
    d.dispose([ref, low]);
  });

  test('the remainder costs 2 bytes per parameter and survives stateDict → JSON → loadStateDict', () => {
    const { start, grads } = problem();
    const a = d.tensor(start, { dtype: 'bf16', requiresGrad: true });
    const optA = new optim.SGD([a], { lr: 1e-4, masterWeights: 'remainder' });
    const step = (w: d.Tensor, opt: d.optim.Optimizer, g: Float32Array) => {
      w.grad = d.tensor(g, { dtype: 'bf16' });
      opt.step();
      opt.zeroGrad();
    };
    step(a, optA, grads[0]);
    const { remainder } = optA.state.get(a)! as { remainder: d.Tensor };
    expect([remainder.dtype, remainder.size]).toEqual(['i32', Math.ceil(333 / 2)]); // two 16-bit halves a word
    grads.slice(1, 5).forEach((g) => step(a, optA, g));
    const b = d.tensor(a.dataSync(), { dtype: 'bf16', requiresGrad: true });
    const optB = new optim.SGD([b], { lr: 1e-4, masterWeights: 'remainder' });
    optB.loadStateDict(JSON.parse(JSON.stringify(optA.stateDict())));
    for (const g of grads.slice(5)) {
      step(a, optA, g);
      step(b, optB, g);
    }
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const [ma, mb] = [joinMaster(a, optA.state.get(a)!.remainder as d.Tensor), joinMaster(b, optB.state.get(b)!.remainder as d.Tensor)];
    expect(Array.from(mb.dataSync())).toEqual(Array.from(ma.dataSync()));
    d.dispose([a, b, ma, mb]);
  });

  test('non-bf16 parameters → BAD_DTYPE at the step, nothing written; an unknown mode → BAD_OPTION', () => {
    const w = d.ones([3], { requiresGrad: true });
    expect(() => new optim.Adam([w], { masterWeights: 'kahan' as 'remainder' })).toThrow(/masterWeights.*'none', 'remainder'/);
    const opt = new optim.Adam([w], { masterWeights: 'remainder' });
    w.grad = d.ones([3]);
    expect(() => opt.step()).toThrow(expect.objectContaining({ code: 'BAD_DTYPE', message: expect.stringMatching(/expected bf16 parameters, got params\[0\] in f32/) }));
    expect(Array.from(w.dataSync())).toEqual([1, 1, 1]);
    expect(opt.state.size).toBe(0);
    d.dispose([w]);
  });
});

describe("masterWeights: 'remainder' on webgpu", () => {
  test('joined and split on the device (no read): parameter, remainder and master bits equal wasm\'s at every step', async () => {
    const { start, grads } = problem(); // 333 values: an odd count leaves half of the last remainder word
    const bits = (t: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(t).buffer));
    const at = (device: d.Device) => {
      const w = d.tensor(start, { dtype: 'bf16', requiresGrad: true, device });
      // lr a power of two: lr·g is exact, so p − lr·g rounds once on both devices (with or without FMA)
      return { w, opt: new optim.SGD([w], { lr: 2 ** -10, masterWeights: 'remainder' }) };
    };
    const cpu = at('wasm'), gpu = at('webgpu');
    let tensors = 0;
    for (const [step, g] of grads.entries()) {
      if (step === 1) tensors = d.memory().webgpu.tensors;
      for (const { w, opt } of [cpu, gpu]) {
        w.grad = d.tensor(g, { dtype: 'bf16', device: w.device });
        opt.step();
        opt.zeroGrad();
      }
      const rest = (r: typeof cpu) => r.opt.state.get(r.w)!.remainder as d.Tensor;
      expect(bits(await gpu.w.data()), `param at step ${step}`).toEqual(bits(cpu.w.dataSync()));
      expect(Array.from(await rest(gpu).data()), `remainder at step ${step}`).toEqual(Array.from(rest(cpu).dataSync()));
      const [mc, mg] = [joinMaster(cpu.w, rest(cpu)), joinMaster(gpu.w, rest(gpu))];
      expect(bits(await mg.data()), `master at step ${step}`).toEqual(bits(mc.dataSync()));
      d.dispose([mc, mg]);
    }
    expect(d.memory().webgpu.tensors, 'memory flat over steps').toBe(tensors);
    expect(bits(await gpu.w.data())).not.toEqual(bits(start)); // the parameters moved
    d.dispose([cpu.w, gpu.w]);
  });
});
