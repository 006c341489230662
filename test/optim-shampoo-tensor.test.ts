// Shampoo on order-k tensors: one statistic per mode and (S_i + εI)^(−1/2k), held step by step
// against a plain f64 transcription of Gupta et al. written here (index loops, Jacobi
// eigenvectors), for a 3-D parameter and a 4-D conv filter, with both root methods; blocking of a
// 3-D parameter; convergence on a Kronecker-structured quadratic; coupled-Newton fallback.
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import * as optim from '../ts/optim/index.js';
import type { Tensor } from '../ts/tensor.js';

const ref = (v: ArrayLike<number>, shape: number[], grad = true): Tensor =>
  d.tensor(Float64Array.from(v), { shape, device: 'reference', requiresGrad: grad });
const vals = (t: Tensor): number[] => Array.from(t.dataSync());
const wave = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(k * (i + 1)) + 0.3 * Math.cos(3 * k * i));
const relErr = (x: ArrayLike<number>, y: ArrayLike<number>): number =>
  Math.max(...Array.from(y, (v, i) => Math.abs(x[i] - v))) / Math.max(...Array.from(y, Math.abs));
const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** Multi-index of flat position `f` in a row-major tensor of shape `s`. */
function indexOf(f: number, s: number[]): number[] {
  const idx = new Array<number>(s.length);
  for (let i = s.length - 1; i >= 0; i--) {
    idx[i] = f % s[i];
    f = Math.floor(f / s[i]);
  }
  return idx;
}
const flatOf = (idx: number[], s: number[]): number => idx.reduce((acc, v, i) => acc * s[i] + v, 0);

/** x ×_i q: the mode-i product with an n_i × n_i matrix. */
function modeMul(x: number[], shape: number[], i: number, q: ArrayLike<number>): number[] {
  const n = shape[i];
  return x.map((_, f) => {
    const idx = indexOf(f, shape);
    let s = 0;
    for (let b = 0; b < n; b++) s += q[idx[i] * n + b] * x[flatOf(idx.map((v, j) => (j === i ? b : v)), shape)];
    return s;
  });
}

/** Q·diag(λ)·Qᵀ with Q the Jacobi eigenvectors of a fixed symmetric matrix. */
function spdOf(lams: number[], k: number): Float64Array {
  const n = lams.length, b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) b[i * n + j] = b[j * n + i] = Math.sin(k * (i + 1) * (j + 2));
  const { v } = optim.symEigJacobi(b, n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let q = 0; q < n; q++) a[i * n + j] += v[i * n + q] * lams[q] * v[j * n + q];
  return a;
}

/** (A + εI)^(−1/p) from Jacobi eigenvectors (an independent path from the optimizer's QL). */
function rootRef(a: Float64Array, n: number, p: number, eps: number): Float64Array {
  const { w, v } = optim.symEigJacobi(a, n);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += v[i * n + k] * (Math.max(w[k], 0) + eps) ** (-1 / p) * v[j * n + k];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Gupta et al.'s order-k Shampoo with β1/β2 EMAs, bias correction and decoupled weight decay. */
class ShampooRef {
  m: number[];
  stats: Float64Array[];
  t = 0;
  constructor(readonly shape: number[], readonly o: { lr: number; b1: number; b2: number; eps: number; wd: number }) {
    this.m = new Array<number>(prod(shape)).fill(0);
    this.stats = shape.map((n) => new Float64Array(n * n));
  }
  step(w: number[], g: number[]): number[] {
    const { shape, o } = this;
    const k = shape.length, size = prod(shape);
    this.t++;
    this.m = this.m.map((x, i) => o.b1 * x + (1 - o.b1) * g[i]);
    const mHat = this.m.map((x) => x / (1 - o.b1 ** this.t));
    // S_i[a][b] += Σ over the other indices of G[.., a, ..]·G[.., b, ..]
    shape.forEach((n, i) => {
      const s = this.stats[i], add = new Float64Array(n * n);
      for (let f = 0; f < size; f++) {
        const idx = indexOf(f, shape);
        for (let b = 0; b < n; b++) add[idx[i] * n + b] += g[f] * g[flatOf(idx.map((v, j) => (j === i ? b : v)), shape)];
      }
      for (let q = 0; q < n * n; q++) s[q] = o.b2 * s[q] + (1 - o.b2) * add[q];
    });
    let p = mHat;
    shape.forEach((n, i) => {
      const q = rootRef(this.stats[i].map((x) => x / (1 - o.b2 ** this.t)), n, 2 * k, o.eps);
      p = p.map((_, f) => {
        const idx = indexOf(f, shape);
        let s = 0;
        for (let b = 0; b < n; b++) s += q[idx[i] * n + b] * p[flatOf(idx.map((v, j) => (j === i ? b : v)), shape)];
        return s;
      });
    });
    return w.map((x, f) => x - o.lr * (p[f] + o.wd * x));
  }
}

beforeAll(async () => {
  await d.init({ device: 'wasm', build: 'simd' });
});

describe('Shampoo on order-k tensors', () => {
  const cases: { shape: number[]; modes: number[]; method: optim.RootInverseMethod; tol: number }[] = [
    { shape: [5, 4, 3], modes: [5, 4, 3], method: 'eigh', tol: 1e-12 },
    { shape: [4, 3, 3, 2], modes: [4, 3, 3, 2], method: 'eigh', tol: 1e-12 }, // a conv filter [out, in, kh, kw]: 8th roots
    { shape: [3, 1, 4, 2], modes: [3, 4, 2], method: 'eigh', tol: 1e-12 }, // the size-1 dim is dropped: 6th roots
    { shape: [5, 4, 3], modes: [5, 4, 3], method: 'coupledNewton', tol: 1e-10 },
    { shape: [4, 3, 3, 2], modes: [4, 3, 3, 2], method: 'coupledNewton', tol: 1e-10 },
  ];
  for (const c of cases) {
    it(`${c.shape.join('×')} (${c.method}) matches the f64 transcription for 3 steps`, () => {
      const size = prod(c.shape);
      const o = { lr: 0.05, b1: 0.9, b2: 0.95, eps: 1e-6, wd: 0.01 };
      const p = ref(wave(size, 0.31), c.shape);
      const opt = new optim.Shampoo([p], { lr: o.lr, betas: [o.b1, o.b2], epsilon: o.eps, weightDecay: o.wd,
        rootInverse: c.method, relativeEpsilon: false, newtonTolerance: 1e-13 });
      const rf = new ShampooRef(c.modes, o);
      let w = wave(size, 0.31);
      for (let k = 0; k < 3; k++) {
        const before = vals(p);
        const g = before.map((v, i) => v * (1 + (i % 4)) - Math.cos(0.7 * i + k));
        p.grad = ref(g, c.shape, false);
        opt.step();
        const next = rf.step(w, g);
        // compare the steps themselves (the parameters, being mostly w, would hide an error in them)
        expect(relErr(vals(p).map((v, i) => v - before[i]), next.map((v, i) => v - w[i]))).toBeLessThan(c.tol);
        w = next;
      }
      const b0 = (opt.state.get(p)!['0'] as optim.ParamState).b0 as optim.ParamState;
      c.modes.forEach((n, i) => expect((b0[`root${i}`] as Tensor).shape).toEqual([n, n]));
      expect(b0[`stat${c.modes.length}`]).toBeUndefined();
    });
  }

  it('size-1 dims are dropped: [3, 1] and [1, 3, 1] step like the vector [3], a scalar like a 1-vector', () => {
    for (const shape of [[3], [3, 1], [1, 3, 1]]) {
      const p = ref([0, 0, 0], shape);
      p.grad = ref([3, -4, 0], shape, false);
      new optim.Shampoo([p], { lr: 1, betas: [0, 1] }).step();
      // g/‖g‖: one statistic, exponent −1/2 (the 1e-12 ridge amplifies rounding in gᵀ's null space)
      expect(relErr(vals(p), [-0.6, 0.8, 0])).toBeLessThan(1e-8);
    }
    const s = d.tensor(Float64Array.of(1), { shape: [], device: 'reference', requiresGrad: true });
    s.grad = d.tensor(Float64Array.of(-2), { shape: [], device: 'reference' });
    new optim.Shampoo([s], { lr: 0.5, betas: [0, 1] }).step();
    expect(vals(s)[0]).toBeCloseTo(1.5, 12);
  });

  it('blocking a 3-D parameter = independent Shampoo on each sub-tensor (5×4×3, maxPreconditionerDim 2, Adam grafting)', () => {
    const shape = [5, 4, 3];
    const opts = { lr: 0.1, betas: [0.9, 0.99] as [number, number], grafting: 'adam' as const, epsilon: 1e-8 };
    const w0 = wave(60, 0.23);
    const big = ref(w0, shape);
    const ob = new optim.Shampoo([big], { ...opts, maxPreconditionerDim: 2 });
    const spans = shape.map((n) => Array.from({ length: Math.ceil(n / 2) }, (_, i) => [2 * i, Math.min(n, 2 * i + 2)]));
    const pieces = spans[0].flatMap((a) => spans[1].flatMap((b) => spans[2].map((c) => [a, b, c])));
    expect(pieces.length).toBe(3 * 2 * 2);
    const sub = (x: number[], q: number[][]): number[] => {
      const out: number[] = [];
      for (let i = q[0][0]; i < q[0][1]; i++) for (let j = q[1][0]; j < q[1][1]; j++) for (let k = q[2][0]; k < q[2][1]; k++) out.push(x[(i * 4 + j) * 3 + k]);
      return out;
    };
    const small = pieces.map((q) => ref(sub(w0, q), q.map(([a, b]) => b - a)));
    const os = new optim.Shampoo(small, opts);
    for (let k = 0; k < 3; k++) {
      const g = vals(big).map((v, i) => v * (1 + (i % 3)) - Math.cos(i + k));
      big.grad = ref(g, shape, false);
      small.forEach((s, i) => { s.grad = ref(sub(g, pieces[i]), s.shape as number[], false); });
      ob.step();
      os.step();
      small.forEach((s, i) => expect(relErr(sub(vals(big), pieces[i]), vals(s))).toBeLessThan(1e-12));
    }
  });

  it('both root methods drive a Kronecker-structured quadratic (κ = 25000) to the same minimum', () => {
    // loss ½⟨W − T, (W − T) ×1 H1 ×2 H2 ×3 H3⟩ for W of shape 3×4×2
    const shape = [3, 4, 2];
    const H = [spdOf([10, 1, 0.1], 1.3), spdOf([5, 2, 0.5, 0.2], 0.7), spdOf([3, 0.3], 2.1)];
    const T = wave(24, 0.9);
    const grad = (w: number[]): number[] => H.reduce((x, h, i) => modeMul(x, shape, i, h), w.map((v, i) => v - T[i]));
    const loss = (w: number[]): number => 0.5 * grad(w).reduce((a, g, i) => a + (w[i] - T[i]) * g, 0);
    const run = (opt: optim.Optimizer, p: Tensor, n: number): number => {
      for (let k = 0; k < n; k++) { p.grad = ref(grad(vals(p)), shape, false); opt.step(); }
      return loss(vals(p)) / loss(new Array(24).fill(0));
    };
    const ratios: number[] = [];
    const finals = (['eigh', 'coupledNewton'] as const).map((method) => {
      const p = ref(new Array(24).fill(0), shape);
      const opt = new optim.Shampoo([p], { lr: 0.3, betas: [0.9, 0.99], epsilon: 1e-6, relativeEpsilon: true, rootInverse: method });
      ratios.push(run(opt, p, 150));
      expect(((opt.state.get(p)!['0'] as optim.ParamState).b0 as optim.ParamState).fails).toBe(0);
      return vals(p);
    });
    expect(Math.max(...ratios)).toBeLessThan(1e-3);
    expect(relErr(finals[1], finals[0])).toBeLessThan(1e-6);
    // SGD near its stability limit 2/λmax = 2/150 is still ≥ 5× further off after as many steps
    const q = ref(new Array(24).fill(0), shape);
    expect(run(new optim.SGD([q], { lr: 0.012 }), q, 150)).toBeGreaterThan(5 * Math.max(...ratios));
  });

  it('a rejected coupled-Newton root falls back to the eigendecomposition, later ones keep the previous root', () => {
    const shape = [4, 3, 2];
    const make = (o: optim.ShampooOptions): [Tensor, optim.Shampoo] => {
      const p = ref(wave(24, 0.5), shape);
      return [p, new optim.Shampoo([p], { lr: 0.1, betas: [0, 1], epsilon: 1e-6, relativeEpsilon: true, ...o })];
    };
    const [pe, oe] = make({});
    // one Newton step cannot reach an error of 1e-9 on any mode
    const [pn, on] = make({ rootInverse: 'coupledNewton', newtonIterations: 1, inverseFailureThreshold: 1e-9 });
    const [pl, ol] = make({ rootInverse: 'coupledNewton', newtonIterations: 1, inverseFailureThreshold: 10 });
    const block = (o: optim.Optimizer, p: Tensor): optim.ParamState => (o.state.get(p)!['0'] as optim.ParamState).b0 as optim.ParamState;
    for (const [p, o] of [[pe, oe], [pn, on], [pl, ol]] as const) { p.grad = ref(wave(24, 1.7), shape, false); o.step(); }
    expect(vals(pn)).toEqual(vals(pe));
    expect(block(on, pn).fails).toBe(3);
    expect(block(ol, pl).fails).toBe(0); // accepted under a lax threshold: a rough root, a different step
    expect(relErr(vals(pl), vals(pe))).toBeGreaterThan(1e-3);
    const first = block(on, pn).root0;
    pn.grad = ref(wave(24, 2.3), shape, false);
    on.step();
    expect(block(on, pn).root0).toBe(first);
    expect(block(on, pn).fails).toBe(6);
  });

  it('state round trip (3-D, coupled Newton, blocks, AdaGrad grafting, frequency 2) resumes bit-identically', () => {
    const shape = [5, 2, 3];
    const opts: optim.ShampooOptions = { lr: 0.05, betas: [0.9, 0.99], rootInverse: 'coupledNewton', relativeEpsilon: true,
      epsilon: 1e-8, maxPreconditionerDim: 3, grafting: 'adagrad', preconditionFrequency: 2, newtonTolerance: 1e-9 };
    const p = ref(wave(30, 0.4), shape);
    const opt = new optim.Shampoo([p], opts);
    const run = (q: Tensor, o: optim.Optimizer, from: number, n: number): void => {
      for (let k = from; k < from + n; k++) { q.grad = ref(vals(q).map((v, i) => v * (1 + (i % 5)) - Math.sin(i * k)), shape, false); o.step(); }
    };
    run(p, opt, 0, 5);
    const q = ref(vals(p), shape);
    const o2 = new optim.Shampoo([q], opts);
    o2.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
    run(p, opt, 5, 4);
    run(q, o2, 5, 4);
    expect(vals(q)).toEqual(vals(p));
  });

  it('on the wasm device in f32 a 4-D filter follows the f64 reference run (both root methods)', () => {
    const shape = [4, 3, 3, 2];
    for (const rootInverse of ['eigh', 'coupledNewton'] as const) {
      const w0 = wave(72, 0.31);
      const p64 = ref(w0, shape);
      const p32 = d.tensor(Float32Array.from(w0), { shape, device: 'wasm', requiresGrad: true });
      const opts: optim.ShampooOptions = { lr: 0.05, betas: [0.9, 0.95], epsilon: 1e-6, rootInverse, grafting: 'adam' };
      const o64 = new optim.Shampoo([p64], opts), o32 = new optim.Shampoo([p32], opts);
      for (let k = 0; k < 3; k++) {
        const g = Array.from(vals(p64), (v, i) => v * (1 + (i % 4)) - Math.cos(0.7 * i + k));
        p64.grad = ref(g, shape, false);
        p32.grad = d.tensor(Float32Array.from(g), { shape, device: 'wasm' });
        o64.step();
        o32.step();
      }
      expect(p32.device).toBe('wasm');
      expect(p32.dtype).toBe('f32');
      expect(relErr(vals(p32), vals(p64))).toBeLessThan(1e-5);
    }
  });
});
