// Newton–Schulz and Muon: the f32 wasm kernel (GEMM driver, symmetric products) and the composed
// f64 path against the f64 reference iteration of test/fixtures/optim_ns5.json (tall, wide,
// square, 3 steps, clamp normalization, a single row); Muon's steps against the reference
// muon_update; MuonWithAuxAdam routing; errors.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import * as optim from '../ts/optim/index.js';
import { loadRuntime } from '../ts/backend/wasm/runtime.js';
import { newtonSchulzPtr } from '../ts/backend/wasm/newton-schulz.js';
import { resolveNewtonSchulz } from '../ts/optim/newton-schulz.js';
import { setDeterministic } from '../ts/backend/wasm/gemm.js';
import { startPool, stopPool } from '../ts/backend/wasm/threads.js';
import { getBackend } from '../ts/engine.js';
const { nn } = d;

interface NsCase { rows: number; cols: number; steps: number; normalize: 'add' | 'clamp'; g: number[]; out: number[]; sv: number[] }
const fx = JSON.parse(readFileSync(new URL('./fixtures/optim_ns5.json', import.meta.url), 'utf8')) as
  { coefficients: number[]; cases: NsCase[]; muon: { w0: number[]; x: number[]; y: number[]; lr: number; weightDecay: number; momentum: number; traj: number[][] } };

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
};

beforeAll(async () => {
  await d.init({ device: 'reference' });
  await d.init({ device: 'wasm', build: 'simd' });
});

describe('Newton–Schulz', () => {
  for (const c of fx.cases) {
    const tag = `${c.rows}×${c.cols} steps=${c.steps} ${c.normalize}`;
    it(`${tag}: f32 wasm kernel within 2e-5 of the f64 reference`, () => {
      const o = optim.newtonSchulz(Float32Array.from(c.g), c.rows, c.cols, { steps: c.steps, normalize: c.normalize });
      expect(maxDiff(o, c.out)).toBeLessThan(2e-5);
    });
    it(`${tag}: composed f64 on the reference device within 1e-12`, () => {
      const g = d.tensor(Float64Array.from(c.g), { shape: [c.rows, c.cols], device: 'reference' });
      const o = optim.zeropowerViaNewtonSchulz(g, { steps: c.steps, normalize: c.normalize });
      expect(maxDiff(o.dataSync(), c.out)).toBeLessThan(1e-12);
      if (c.steps === 5) {
        expect(Math.min(...c.sv)).toBeGreaterThan(0.68);
        expect(Math.max(...c.sv)).toBeLessThan(1.2);
      }
    });
  }

  it('tensor entry point on wasm f32 equals the array entry point bit for bit (also for a transposed view)', () => {
    const c = fx.cases[0];
    const g = d.tensor(Float32Array.from(c.g), { shape: [c.rows, c.cols] });
    expect(g.device).toBe('wasm');
    const viaTensor = optim.zeropowerViaNewtonSchulz(g).dataSync();
    expect(Array.from(viaTensor)).toEqual(Array.from(optim.newtonSchulz(Float32Array.from(c.g), c.rows, c.cols)));
    const gt = d.tensor(Float32Array.from(c.g), { shape: [c.rows, c.cols] }).transpose(0, 1);
    const ot = optim.zeropowerViaNewtonSchulz(gt).transpose(0, 1).contiguous().dataSync();
    expect(maxDiff(ot, c.out)).toBeLessThan(2e-5);
  });

  it('a 200×130 matrix (several symmetric blocks, edge tiles) agrees with the composed f64 path', () => {
    const rows = 200, cols = 130;
    const g = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37) + 0.1 * Math.cos(i * 1.3));
    const want = optim.zeropowerViaNewtonSchulz(d.tensor(g, { shape: [rows, cols], device: 'reference' })).dataSync();
    expect(maxDiff(optim.newtonSchulz(Float32Array.from(g), rows, cols), want)).toBeLessThan(5e-5);
    const wide = optim.zeropowerViaNewtonSchulz(d.tensor(g, { shape: [cols, rows], device: 'reference' })).dataSync();
    expect(maxDiff(optim.newtonSchulz(Float32Array.from(g), cols, rows), wide)).toBeLessThan(5e-5);
  });

  it('symmetric-product kernel, plain and FMA, within 5e-5 of the composed f64 iteration; 2 and 3 threads bit-identical to 1', async () => {
    const rt = await loadRuntime(); // its own runtime: the relaxed build (FMA) where it validates
    const o = resolveNewtonSchulz('test', {});
    const kernels = rt.info.build === 'relaxed' ? [true, false] : [true];
    const cases = [[140, 300], [300, 140], [3, 17]].map(([rows, cols]) => {
      const g = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.61) + 0.2 * Math.cos(i * 0.05));
      const want = optim.zeropowerViaNewtonSchulz(d.tensor(g, { shape: [rows, cols], device: 'reference' })).dataSync();
      const pg = rt.malloc(g.length * 4), po = rt.malloc(g.length * 4);
      rt.views.f32(pg, g.length).set(g);
      return { rows, cols, want, pg, po, oneThread: new Map<boolean, Float32Array>() };
    });
    try {
      for (const threads of [1, 2, 3]) {
        expect(await startPool(rt, threads)).toBe(threads);
        for (const c of cases) {
          for (const deterministic of kernels) {
            setDeterministic(deterministic);
            newtonSchulzPtr(rt, c.pg, c.po, c.rows, c.cols, o);
            const got = rt.views.f32(c.po, c.rows * c.cols).slice();
            if (threads === 1) {
              expect(maxDiff(got, c.want), `${c.rows}×${c.cols} deterministic=${deterministic}`).toBeLessThan(5e-5);
              c.oneThread.set(deterministic, got);
            } else {
              expect(got).toEqual(c.oneThread.get(deterministic));
            }
          }
        }
      }
    } finally {
      setDeterministic(true);
      await stopPool();
      for (const c of cases) { rt.release(c.pg); rt.release(c.po); }
    }
  });

  it('any step count (odd, even, 0) lands in out, also when out is the input (in place), within 5e-5 of the composed f64 path', async () => {
    const rt = await loadRuntime();
    const rows = 37, cols = 90, n = rows * cols;
    const g = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.73) + 0.3 * Math.sin(i * 0.11));
    const [pg, po] = [rt.malloc(n * 4), rt.malloc(n * 4)];
    try {
      for (const steps of [0, 1, 2, 4, 5]) {
        const o = resolveNewtonSchulz('test', { steps });
        const want = optim.zeropowerViaNewtonSchulz(d.tensor(g, { shape: [rows, cols], device: 'reference' }), { steps }).dataSync();
        rt.views.f32(pg, n).set(g);
        newtonSchulzPtr(rt, pg, po, rows, cols, o);
        const apart = rt.views.f32(po, n).slice();
        expect(maxDiff(apart, want), `steps=${steps}`).toBeLessThan(5e-5);
        expect(rt.views.f32(pg, n)).toEqual(Float32Array.from(g)); // the input is left alone
        newtonSchulzPtr(rt, pg, pg, rows, cols, o);
        expect(rt.views.f32(pg, n).slice(), `in place, steps=${steps}`).toEqual(apart);
      }
    } finally {
      rt.release(pg);
      rt.release(po);
    }
  });

  it('repeated calls leave wasm memory flat (tensors and the heap)', () => {
    const rt = (getBackend('wasm') as unknown as { rt: { bytesInUse: number } }).rt;
    const g = d.randn([150, 70]);
    optim.zeropowerViaNewtonSchulz(g).dispose();
    const before = [d.memory().wasm, rt.bytesInUse];
    for (let i = 0; i < 3; i++) optim.zeropowerViaNewtonSchulz(g).dispose();
    expect([d.memory().wasm, rt.bytesInUse]).toEqual(before);
    g.dispose();
  });

  it('bad arguments', () => {
    expect(() => optim.newtonSchulz(new Float32Array(6), 2, 4)).toThrow(/needs 8/);
    expect(() => optim.newtonSchulz(new Float32Array(6), 2, 3, { steps: -1 })).toThrow(/steps/);
    expect(() => optim.newtonSchulz(new Float32Array(6), 2, 3, { coefficients: [1, 2] as never })).toThrow(/coefficients/);
    expect(() => optim.zeropowerViaNewtonSchulz(d.zeros([2, 3, 4]))).toThrow(/2-D/);
  });
});

describe('Muon', () => {
  const m = fx.muon;
  function lsqGrad(w: d.Tensor): d.Tensor {
    const X = d.tensor(Float64Array.from(m.x), { shape: [4, 10], device: w.device, dtype: w.dtype });
    const Y = d.tensor(Float64Array.from(m.y), { shape: [6, 10], device: w.device, dtype: w.dtype });
    return w.matmul(X).sub(Y).matmul(X.transpose(0, 1)).div(10);
  }

  it('f64 steps match the reference muon_update + decoupled decay to 1e-12', () => {
    const w = d.tensor(Float64Array.from(m.w0), { shape: [6, 4], device: 'reference', requiresGrad: true });
    const opt = new optim.Muon([w], { lr: m.lr, weightDecay: m.weightDecay, momentum: m.momentum });
    for (const want of m.traj) {
      w.grad = d.noGrad(() => lsqGrad(w));
      opt.step();
      expect(maxDiff(w.dataSync(), want)).toBeLessThan(1e-12);
    }
  });

  it('f32 on wasm (kernel path) tracks the reference to 1e-4', () => {
    const w = d.tensor(Float32Array.from(m.w0), { shape: [6, 4], requiresGrad: true });
    const opt = new optim.Muon([w], { lr: m.lr, weightDecay: m.weightDecay, momentum: m.momentum });
    for (const want of m.traj) {
      w.grad = d.noGrad(() => lsqGrad(w));
      opt.step();
      expect(maxDiff(w.dataSync(), want)).toBeLessThan(1e-4);
    }
  });

  it('adjustLrFn variants scale the orthogonalized step', () => {
    expect(optim.muonScale(6, 4)).toBeCloseTo(Math.sqrt(1.5), 15);
    expect(optim.muonScale(4, 6)).toBe(1);
    expect(optim.muonScale(4, 6, 'match_rms_adamw')).toBeCloseTo(0.2 * Math.sqrt(6), 15);
    expect(optim.muonScale(4, 6, 'spectral_unclamped')).toBeCloseTo(Math.sqrt(4 / 6), 15);
    const run = (fn: optim.AdjustLrFn): number[] => {
      const w = d.tensor(Float64Array.from(m.w0), { shape: [6, 4], device: 'reference', requiresGrad: true });
      w.grad = d.noGrad(() => lsqGrad(w));
      new optim.Muon([w], { lr: 0.1, adjustLrFn: fn }).step();
      return Array.from(w.dataSync(), (v, i) => v - m.w0[i]);
    };
    const orig = run('original'), rms = run('match_rms_adamw');
    orig.forEach((v, i) => expect(rms[i]).toBeCloseTo(v * (0.2 * Math.sqrt(6)) / Math.sqrt(1.5), 12));
  });

  it('conv filters are flattened to (out, in·kh·kw)', () => {
    const w = d.randn([4, 2, 3, 3], { dtype: 'f64', device: 'reference', requiresGrad: true });
    const g = d.randn([4, 2, 3, 3], { dtype: 'f64', device: 'reference' });
    const w0 = w.dataSync();
    w.grad = g;
    new optim.Muon([w], { lr: 0.1, momentum: 0, nesterov: false }).step();
    const o = optim.zeropowerViaNewtonSchulz(g.reshape([4, 18]));
    const delta = Array.from(w.dataSync(), (v, i) => (w0[i] - v) / 0.1);
    expect(maxDiff(delta, o.dataSync())).toBeLessThan(1e-12);
  });

  it('MuonWithAuxAdam routes by useMuon; Muon rejects vectors', () => {
    const W = d.randn([6, 4], { dtype: 'f64', device: 'reference', requiresGrad: true });
    const b = d.zeros([6], { dtype: 'f64', device: 'reference', requiresGrad: true });
    const { muon, adam } = optim.splitForMuon([W, b], { ends: 'muon' });
    expect(muon).toEqual([W]);
    expect(adam).toEqual([b]);
    const opt = new optim.MuonWithAuxAdam([{ params: muon, useMuon: true }, { params: adam, useMuon: false }]);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.02, momentum: 0.95, weightDecay: 0 });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 3e-4, betas: [0.9, 0.95], eps: 1e-10 });
    W.grad = d.onesLike(W);
    b.grad = d.onesLike(b);
    opt.step();
    // Adam's first step moves every coordinate by lr·m̂/(√v̂ + eps) = lr·1/(1 + 1e-10)
    expect(Array.from(b.dataSync()).every((v) => Math.abs(v + 3e-4) < 1e-12)).toBe(true);
    expect(() => new optim.Muon([b])).toThrow(/matrices/);
    expect(() => new optim.MuonWithAuxAdam([{ params: [b] }])).toThrow(/useMuon/);
    expect(() => new optim.MuonWithAuxAdam([{ params: [b], useMuon: true }])).toThrow(/matrices/);
    expect(() => new optim.Muon([W], { adjustLrFn: 'rms' as never })).toThrow(/adjustLrFn/);
  });

  it('splitForMuon sends the embedding, the head and every parameter under 2-D to Adam, as Muon\'s authors do', () => {
    const model = new nn.Sequential(new nn.Embedding(10, 8), new nn.Linear(8, 8), new nn.LayerNorm(8),
      new nn.Linear(8, 8), new nn.Linear(8, 3));
    const [emb, w1, b1, gain, shift, w3, b3, head, headBias] = model.parameters();
    const { muon, adam } = optim.splitForMuon(model.parameters());
    expect(muon).toEqual([w1, w3]);
    expect(adam).toEqual([emb, b1, gain, shift, b3, head, headBias]);
    expect(optim.splitForMuon(model.parameters(), { ends: 'muon', exclude: [w3] }).muon).toEqual([emb, w1, head]);
    const conv = d.randn([4, 2, 3, 3], { requiresGrad: true });
    expect(optim.splitForMuon([emb, conv, head]).muon).toEqual([conv]);
    expect(() => optim.splitForMuon(model.parameters(), { ends: 'all' as never })).toThrow(/ends must be 'adam' or 'muon'/);
    expect(() => optim.splitForMuon(model.parameters(), [w3] as never)).toThrow(/unknown option '0'/);
    expect(() => optim.splitForMuon([emb, 3 as never])).toThrow(/params\[1\] expected a Tensor/);
    d.dispose([model.parameters(), conv]);
  });
});
