// startProfile: attributes a step's time to categories that add up to the profiled wall time,
// counts backend calls and kernel crossings, changes no result, and restores the untimed backends.
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import { paramBits, problem } from './train-helpers.js';

beforeAll(async () => { await d.init({ device: 'wasm', build: 'simd' }); });

const sumOf = (r: d.ProfileReport): number => d.PROFILE_CATEGORIES.reduce((s, c) => s + r.ms[c], 0);

describe('startProfile', () => {
  it('splits a fit step into categories that add up to the profiled wall time, without changing the result', async () => {
    const plain = problem(3);
    await d.train.fit(plain.model, new d.optim.Adam(plain.model.parameters(), { lr: 0.01 }), { train: plain.train, epochs: 1 });
    const profiled = problem(3);
    const opt = new d.optim.Adam(profiled.model.parameters(), { lr: 0.01 });
    const t0 = performance.now();
    const p = d.startProfile();
    const r = await d.train.fit(profiled.model, opt, { train: profiled.train, epochs: 1 });
    const report = p.stop();
    const wall = performance.now() - t0;
    expect(paramBits(profiled.model)).toEqual(paramBits(plain.model));
    expect(sumOf(report)).toBeCloseTo(report.totalMs, 6);
    expect(report.totalMs).toBeLessThanOrEqual(wall);
    expect(report.totalMs).toBeGreaterThan(0.5 * wall);
    const steps = r.steps;
    // per step: two Linear forwards (bias, and the first one's ReLU, in the GEMM epilogue), their
    // dW with the bias gradient from the same GEMM (twice) and the second one's dX (the first dX is
    // not needed) as a plain GEMM, ReLU's mask in one pass, one fused Adam update
    expect(report.calls.matmulBiasAct).toBe(2 * steps);
    expect(report.calls.matmulRowSums).toBe(2 * steps);
    expect(report.calls.matmul).toBe(steps);
    expect(report.calls.reluGrad).toBe(steps);
    expect(report.calls.unary ?? 0).toBe(0);
    expect(report.calls.fusedUpdate).toBe(steps);
    for (const c of ['gemm', 'elementwise', 'optimizer', 'data', 'autograd', 'allocator', 'dispatch', 'ops'] as const) {
      expect(report.ms[c], c).toBeGreaterThan(0);
    }
    // the loader's gathers count as data batching, not as indexing
    expect(report.calls.gather).toBe(2 * steps);
    expect(report.ms.indexing).toBe(0);
    expect(report.kernelCalls).toBeGreaterThan(report.calls.matmul);
    plain.dispose();
    profiled.dispose();
  });

  it('counts each backend call and its kernel crossings, on wasm and on the reference device', async () => {
    const a = d.randn([7, 5]), b = d.randn([5, 3]);
    const p = d.startProfile();
    const c = d.tidy(() => a.matmul(b).relu());
    const r = p.stop();
    expect(r.calls.matmul).toBe(1);
    expect(r.calls.unary).toBe(1);
    expect(r.ms.gemm).toBeGreaterThan(0);
    expect(r.kernelCalls).toBeGreaterThanOrEqual(2);
    d.dispose([a, b, c]);

    await d.init({ device: 'reference' });
    try {
      const x = d.randn([4, 4]);
      const q = d.startProfile();
      x.matmul(x).dispose();
      const rr = q.stop();
      expect(rr.calls.matmul).toBe(1);
      expect(rr.kernelCalls).toBe(0);
      expect(sumOf(rr)).toBeCloseTo(rr.totalMs, 6);
      x.dispose();
    } finally {
      await d.init({ device: 'wasm', build: 'simd' });
    }
  });

  it('refuses a second profile while one runs and a second stop, and leaves nothing timed after stop', () => {
    const p = d.startProfile();
    expect(() => d.startProfile()).toThrow(d.DescentError);
    const r = p.stop();
    expect(() => p.stop()).toThrow(/already stopped/);
    const x = d.ones([3]);
    x.add(x).dispose();
    x.dispose();
    // the report is a snapshot: work after stop() is not in it, and a new profile starts from zero
    expect(r.calls.binary ?? 0).toBe(0);
    const q = d.startProfile();
    expect(q.stop().backendCalls).toBe(0);
  });
});
