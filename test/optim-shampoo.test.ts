// Shampoo: the f64 eigen/inverse-root helper, the first step's polar factor, blocking, grafting,
// start step and frequency, vectors, convergence, state round trip and options.
import { describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import * as optim from '../ts/optim/index.js';
import type { Tensor } from '../ts/tensor.js';

const ref = (v: ArrayLike<number>, shape: number[], grad = true): Tensor =>
  d.tensor(Float64Array.from(v), { shape, device: 'reference', requiresGrad: grad });
const vals = (t: Tensor): number[] => Array.from(t.dataSync());
const maxErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
const wave = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(k * (i + 1)) + 0.3 * Math.cos(3 * k * i));

function matmulHost(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): number[] {
  return Array.from({ length: n * m }, (_, idx) => {
    const i = Math.floor(idx / m), j = idx % m;
    let s = 0;
    for (let q = 0; q < k; q++) s += a[i * k + q] * b[q * m + j];
    return s;
  });
}
const transposeHost = (a: ArrayLike<number>, r: number, c: number): number[] => Array.from({ length: r * c }, (_, idx) => a[(idx % r) * c + Math.floor(idx / r)]);

describe('symmetric eigendecomposition', () => {
  it('Householder+QL and Jacobi agree, and both reconstruct (sizes 1–40, repeated and zero eigenvalues)', () => {
    const mats: [number, number[]][] = [[1, [2.5]], [2, [1, 0, 0, 1]], [3, [0, 0, 0, 0, 0, 0, 0, 0, 0]]];
    for (const n of [5, 17, 40]) {
      const B = wave(n * 3, 0.37 * n);
      mats.push([n, matmulHost(B, transposeHost(B, n, 3), n, 3, n)]); // PSD of rank 3
      const S = wave(n * n, 1.1);
      mats.push([n, S.map((v, i) => v + S[(i % n) * n + Math.floor(i / n)])]); // indefinite
    }
    for (const [n, A] of mats) {
      const a = Float64Array.from(A);
      const scale = Math.max(1, ...A.map(Math.abs));
      for (const f of [optim.symEig, optim.symEigJacobi]) {
        const { w, v } = f(a, n);
        const rec = Array.from({ length: n * n }, (_, idx) => {
          const i = Math.floor(idx / n), j = idx % n;
          let s2 = 0;
          for (let k = 0; k < n; k++) s2 += v[i * n + k] * w[k] * v[j * n + k];
          return s2;
        });
        expect(maxErr(rec, A)).toBeLessThan(1e-12 * scale);
      }
      const w1 = Array.from(optim.symEig(a, n).w).sort((x, y) => x - y);
      const w2 = Array.from(optim.symEigJacobi(a, n).w).sort((x, y) => x - y);
      expect(maxErr(w1, w2)).toBeLessThan(1e-12 * scale);
    }
  });

  it('reconstructs A and gives (A + εI)^(−1/4) whose 4th power inverts A + εI', () => {
    const n = 6, B = wave(n * n, 0.7);
    const A = matmulHost(B, transposeHost(B, n, n), n, n, n);
    const { w, v } = optim.symEig(Float64Array.from(A), n);
    const rec = Array.from({ length: n * n }, (_, idx) => {
      const i = Math.floor(idx / n), j = idx % n;
      let s = 0;
      for (let k = 0; k < n; k++) s += v[i * n + k] * w[k] * v[j * n + k];
      return s;
    });
    expect(maxErr(rec, A)).toBeLessThan(1e-12 * Math.max(...w));
    const eps = 0.1;
    const r = optim.inverseRoot(Float64Array.from(A), n, 4, eps);
    const r2 = matmulHost(r, r, n, n, n), r4 = matmulHost(r2, r2, n, n, n);
    const Ae = A.map((x, idx) => x + (idx % (n + 1) === 0 ? eps : 0));
    const eye = Array.from({ length: n * n }, (_, idx) => (idx % (n + 1) === 0 ? 1 : 0));
    expect(maxErr(matmulHost(r4, Ae, n, n, n), eye)).toBeLessThan(1e-9);
  });
});

describe('Shampoo', () => {
  it('first step with β1 = 0, β2 = 1 moves along the polar factor U·Vᵀ of the gradient (DᵀD = I)', () => {
    const g = wave(24, 0.9);
    const p = ref(new Array(24).fill(0), [6, 4]);
    p.grad = ref(g, [6, 4], false);
    new optim.Shampoo([p], { lr: 1, betas: [0, 1] }).step();
    const D = vals(p).map((x) => -x);
    const DtD = matmulHost(transposeHost(D, 6, 4), D, 4, 6, 4);
    expect(maxErr(DtD, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])).toBeLessThan(1e-6);
    // and D has the gradient's row space: D·(GᵀG)^{1/2} ∝ G, i.e. Dᵀ·G is symmetric positive definite
    const DtG = matmulHost(transposeHost(D, 6, 4), g, 4, 6, 4);
    expect(maxErr(DtG, transposeHost(DtG, 4, 4))).toBeLessThan(1e-6);
  });

  it('a vector parameter uses L^(−1/2): the first step is g/‖g‖', () => {
    const g = [3, -4, 0];
    const p = ref([0, 0, 0], [3]);
    p.grad = ref(g, [3], false);
    new optim.Shampoo([p], { lr: 1, betas: [0, 1] }).step();
    expect(maxErr(vals(p), [-0.6, 0.8, 0])).toBeLessThan(1e-6);
  });

  it('blocking = independent Shampoo on each block (7×5 with maxPreconditionerDim 3)', () => {
    const opts = { lr: 0.1, betas: [0.9, 0.99] as [number, number], grafting: 'adagrad' as const, epsilon: 1e-8 };
    const w0 = wave(35, 0.3);
    const big = ref(w0, [7, 5]);
    const ob = new optim.Shampoo([big], { ...opts, maxPreconditionerDim: 3 });
    const spans: [number, number][] = [[0, 3], [3, 6], [6, 7]], cspans: [number, number][] = [[0, 3], [3, 5]];
    const pieces = spans.flatMap(([r0, r1]) => cspans.map(([c0, c1]) => ({ r0, r1, c0, c1 })));
    const sub = (a: number[], q: typeof pieces[0]): number[] => {
      const out: number[] = [];
      for (let i = q.r0; i < q.r1; i++) for (let j = q.c0; j < q.c1; j++) out.push(a[i * 5 + j]);
      return out;
    };
    const small = pieces.map((q) => ref(sub(w0, q), [q.r1 - q.r0, q.c1 - q.c0]));
    const os = new optim.Shampoo(small, opts);
    for (let k = 0; k < 4; k++) {
      const g = vals(big).map((v, i) => v * (1 + (i % 3)) - Math.cos(i + k));
      big.grad = ref(g, [7, 5], false);
      small.forEach((s, i) => { s.grad = ref(sub(g, pieces[i]), s.shape as number[], false); });
      ob.step();
      os.step();
      small.forEach((s, i) => expect(maxErr(sub(vals(big), pieces[i]), vals(s))).toBeLessThan(1e-12));
    }
  });

  it('grafting rescales each block to the grafted norm; before startPreconditioningStep the step IS the grafted one', () => {
    const g = wave(12, 1.3);
    const p = ref(new Array(12).fill(0), [4, 3]);
    const opt = new optim.Shampoo([p], { lr: 1, betas: [0, 1], grafting: 'sgd', startPreconditioningStep: 2 });
    p.grad = ref(g, [4, 3], false);
    opt.step(); // step 1 < start: plain SGD
    expect(maxErr(vals(p), g.map((x) => -x))).toBeLessThan(1e-15);
    const before = vals(p);
    opt.step(); // preconditioned, norm grafted from SGD (‖g‖)
    const delta = vals(p).map((x, i) => before[i] - x);
    expect(Math.hypot(...delta)).toBeCloseTo(Math.hypot(...g), 10);
  });

  it('roots are recomputed every preconditionFrequency steps', () => {
    const p = ref(wave(6, 0.2), [3, 2]);
    const opt = new optim.Shampoo([p], { lr: 0.01, preconditionFrequency: 2 });
    const roots: unknown[] = [];
    for (let k = 0; k < 4; k++) {
      p.grad = ref(wave(6, 0.5 + k), [3, 2], false);
      opt.step();
      roots.push(((opt.state.get(p)!['0'] as optim.ParamState).b0 as optim.ParamState).root0);
    }
    expect(roots[0]).toBeNull(); // start = frequency = 2
    expect(roots[2]).toBe(roots[1]); // step 3 reuses step 2's
    expect(roots[3]).not.toBe(roots[2]); // step 4 recomputes
  });

  it('cuts an ill-conditioned least-squares loss 1000× with either root method, to the same point, and round-trips its state bit-identically', () => {
    // rows of X scaled 10^(−0.75 … 0.75): the Hessian XXᵀ has condition number ≈ 1e3
    const X = Array.from({ length: 4 * 12 }, (_, i) => {
      const r = Math.floor(i / 12), c = i % 12;
      return Math.sin((r + 1) * (c + 1) * 0.7 + r) * 10 ** ((r - 1.5) / 2);
    });
    const Wt = wave(12, 0.4);
    const Y = matmulHost(Wt, X, 3, 4, 12);
    const resid = (w: number[]): number[] => matmulHost(w, X, 3, 4, 12).map((v, i) => v - Y[i]);
    const loss = (w: number[]): number => resid(w).reduce((a, e) => a + 0.5 * e * e, 0);
    const grad = (w: number[]): number[] => matmulHost(resid(w), transposeHost(X, 4, 12), 3, 12, 4);
    const run = (p: Tensor, opt: optim.Optimizer, n: number): void => {
      for (let k = 0; k < n; k++) { p.grad = ref(grad(vals(p)), [3, 4], false); opt.step(); }
    };
    const finals = (['eigh', 'coupledNewton'] as const).map((method) => {
      const opts = { lr: 1, betas: [0, 1] as [number, number], epsilon: 1e-6, relativeEpsilon: true, rootInverse: method };
      const p = ref(new Array(12).fill(0), [3, 4]);
      const opt = new optim.Shampoo([p], opts);
      run(p, opt, 150);
      expect(loss(vals(p))).toBeLessThan(1e-3 * loss(new Array(12).fill(0)));
      const at = vals(p);
      expect(((opt.state.get(p)!['0'] as optim.ParamState).b0 as optim.ParamState).fails).toBe(0); // no root was rejected
      const q = ref(vals(p), [3, 4]);
      const o2 = new optim.Shampoo([q], opts);
      o2.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
      run(p, opt, 5);
      run(q, o2, 5);
      expect(vals(q)).toEqual(vals(p));
      return at;
    });
    // coupled Newton stops at max|M − I| ≤ 1e-6, so the two paths differ by about that much
    expect(maxErr(finals[1], finals[0])).toBeLessThan(1e-5);
  });

  it('coupled Newton defaults to the Google ridge (1e-6 relative to λmax); eigh keeps the Meta one (1e-12 absolute)', () => {
    const p = ref([1, 2], [2]);
    const n = new optim.Shampoo([p], { rootInverse: 'coupledNewton' }).paramGroups[0];
    expect([n.epsilon, n.relativeEpsilon, n.newtonIterations, n.newtonTolerance, n.inverseFailureThreshold]).toEqual([1e-6, true, 100, 1e-6, 0.1]);
    const e = new optim.Shampoo([p]).paramGroups[0];
    expect([e.rootInverse, e.epsilon, e.relativeEpsilon]).toEqual(['eigh', 1e-12, false]);
    const x = new optim.Shampoo([p], { rootInverse: 'coupledNewton', epsilon: 1e-9, relativeEpsilon: false }).paramGroups[0];
    expect([x.epsilon, x.relativeEpsilon]).toEqual([1e-9, false]);
    // per group: a group that picks the other method gets that method's defaults unless it sets them
    const q = ref([3], [1]), r = ref([4], [1]);
    const gs = new optim.Shampoo([{ params: [p] }, { params: [q], rootInverse: 'coupledNewton' }, { params: [r], rootInverse: 'coupledNewton', epsilon: 1e-3 }]).paramGroups;
    expect(gs.map((g) => [g.epsilon, g.relativeEpsilon])).toEqual([[1e-12, false], [1e-6, true], [1e-3, true]]);
    const mixed = new optim.Shampoo([p], { rootInverse: 'coupledNewton' });
    mixed.addParamGroup({ params: [q], rootInverse: 'eigh' });
    expect([mixed.paramGroups[1].epsilon, mixed.paramGroups[1].relativeEpsilon]).toEqual([1e-12, false]);
  });

  it('bad options name themselves', () => {
    const p = ref([1, 2], [2]);
    expect(() => new optim.Shampoo([p], { betas: [0.9, 0] })).toThrow(/betas\[1\]/);
    expect(() => new optim.Shampoo([p], { grafting: 'rms' as never })).toThrow(/grafting/);
    expect(() => new optim.Shampoo([p], { maxPreconditionerDim: 0 })).toThrow(/maxPreconditionerDim/);
    expect(() => new optim.Shampoo([p], { epsilon: 0 })).toThrow(/option 'epsilon' expected a number > 0, got 0/);
    expect(() => new optim.Shampoo([p], { rootInverse: 'newton' as never })).toThrow(/option 'rootInverse' expected one of 'eigh', 'coupledNewton', got 'newton'/);
    expect(() => new optim.Shampoo([p], { relativeEpsilon: 1 as never })).toThrow(/option 'relativeEpsilon' expected a boolean, got 1/);
    expect(() => new optim.Shampoo([p], { newtonIterations: 0 })).toThrow(/option 'newtonIterations' expected an integer ≥ 1, got 0/);
    expect(() => new optim.Shampoo([p], { newtonIterations: 2.5 })).toThrow(/newtonIterations/);
    expect(() => new optim.Shampoo([p], { newtonTolerance: 0 })).toThrow(/option 'newtonTolerance' expected a number > 0, got 0/);
    expect(() => new optim.Shampoo([p], { inverseFailureThreshold: -1 })).toThrow(/option 'inverseFailureThreshold'/);
    expect(() => new optim.Shampoo([p], { rootInverse: 'eigh', newtonTolerance: Infinity })).toThrow(/newtonTolerance/);
    expect(() => new optim.Shampoo([{ params: [p], rootInverse: 'qr' as never }])).toThrow(/rootInverse/);
    expect(() => new optim.Shampoo([p], { newtonIterations: -1 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
    expect(() => new optim.Shampoo([p], { rootInverse: 'x' as never })).toThrow(d.DescentError);
  });
});
