// F.linear with a bias, and linearActivation (Linear → ReLU/GELU, what nn.Sequential runs), on a
// backend with Backend.matmulBiasAct (wasm) take the fused GEMM epilogue; their definition is the
// composition matmul(x, Wᵀ) + b (→ relu/gelu), which they must match bit for bit, forward and
// backward, and the reference device within f32 rounding.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { DescentError } from '../ts/errors.js';
import { linearActivation } from '../ts/nn/functional/linear.js';
import { expectClose, expectSameBits } from './helpers/compare.js';

const F = d.nn.functional;
beforeAll(async () => { await d.init({ device: 'wasm' }); });

/** y and the gradients of (x, w, b) under upstream g, through `fn`, as plain arrays. */
function run(fn: (x: d.Tensor, w: d.Tensor, b: d.Tensor) => d.Tensor, x0: d.Tensor, w0: d.Tensor, b0: d.Tensor, g: d.Tensor) {
  const [x, w, b] = [x0, w0, b0].map((t) => t.detach().requiresGrad_());
  const y = fn(x, w, b);
  y.backward(g.to(y.device));
  const out = [y, x.grad!, w.grad!, b.grad!].map((t) => t.dataSync());
  d.dispose([x, w, b, y]);
  return out;
}

describe('F.linear fused bias epilogue', () => {
  test('matches the unfused composition bit for bit, forward and gradients, at awkward shapes', () => {
    d.manualSeed(3);
    for (const [m, n, k] of [[1, 1, 1], [3, 10, 17], [17, 130, 3], [130, 257, 17], [257, 10, 130]]) {
      const x = d.randn([m, k]), w = d.randn([n, k]), b = d.randn([n]), g = d.randn([m, n]);
      const fused = run((x, w, b) => F.linear(x, w, b), x, w, b, g);
      const composed = run((x, w, b) => d.add(d.matmul(x, d.transpose(w, 0, 1)), b), x, w, b, g);
      fused.forEach((v, i) => expect(v).toEqual(composed[i]));
      const ref = run((x, w, b) => F.linear(x, w, b), x.to('reference'), w.to('reference'), b.to('reference'), g);
      fused.forEach((v, i) => v.forEach((e, j) => expect(e).toBeCloseTo(ref[i][j], 3)));
      d.dispose([x, w, b, g]);
    }
  });

  test('runs one GEMM with the bias in its epilogue, and no separate add', () => {
    const x = d.randn([33, 20]), w = d.randn([7, 20]), b = d.randn([7]);
    const p = d.startProfile();
    d.tidy(() => F.linear(x, w, b));
    const r = p.stop();
    expect(r.calls.matmulBiasAct).toBe(1);
    expect(r.calls.matmul ?? 0).toBe(0);
    expect(r.calls.binary ?? 0).toBe(0);
    d.dispose([x, w, b]);
  });

  test('backward takes dW and the bias gradient from one GEMM (matmulRowSums), no reduce; one output column or createGraph: the composition', () => {
    const x = d.randn([33, 20]), g = d.randn([33, 7]), g1 = d.randn([33, 1]);
    const calls = (w0: d.Tensor, up: d.Tensor, createGraph = false) => {
      // with createGraph, dW must be a graph node of x: x requires grad there
      const xs = createGraph ? x.detach().requiresGrad_() : x;
      const w = w0.detach().requiresGrad_(), b = d.randn([w0.shape[0]], { requiresGrad: true });
      const y = F.linear(xs, w, b);
      const p = d.startProfile();
      y.backward(up, { createGraph });
      const r = p.stop();
      d.dispose([w, b, y, w.grad!, b.grad!, ...(createGraph ? [xs, xs.grad!] : [])]);
      return r.calls;
    };
    const w = d.randn([7, 20]), w1 = d.randn([1, 20]);
    const fused = calls(w, g);
    expect([fused.matmulRowSums, fused.matmul ?? 0, fused.reduce ?? 0]).toEqual([1, 0, 0]);
    // the composition: gᵀ·x as a matmul (next to dX when x needs it) and Σ g as a reduce
    expect([calls(w1, g1), calls(w, g, true)].map((c) => [c.matmulRowSums ?? 0, c.matmul, c.reduce])).toEqual([[0, 1, 1], [0, 2, 1]]);
    d.dispose([x, g, g1, w, w1]);
  });

  test('keeps memory flat in a training loop', () => {
    const w = d.randn([9, 13], { requiresGrad: true }), b = d.randn([9], { requiresGrad: true }), x = d.randn([31, 13]);
    const step = () => d.tidy(() => { F.linear(x, w, b).relu().sum().backward(); w.grad!.dispose(); w.grad = null; b.grad!.dispose(); b.grad = null; });
    step();
    const start = d.memory().wasm;
    for (let i = 0; i < 5; i++) step();
    expect(d.memory().wasm).toEqual(start);
    d.dispose([w, b, x]);
  });

  test('rejects a bias of the wrong shape or device with a DescentError, creating nothing', () => {
    const x = d.randn([4, 5]), w = d.randn([3, 5]);
    const start = d.memory().wasm;
    for (const bad of [d.randn([4]), d.randn([3, 1]), d.randn([3], { device: 'reference' })]) {
      expect(() => F.linear(x, w, bad)).toThrow(DescentError);
      bad.dispose();
    }
    expect(d.memory().wasm).toEqual(start);
    d.dispose([x, w]);
  });
});

type Act = 'relu' | 'gelu';
const ACTS: Act[] = ['relu', 'gelu'];
const activate = (act: Act, y: d.Tensor) => (act === 'relu' ? d.relu(y) : d.gelu(y));
/** The definition linearActivation fuses: matmul, then the bias add, then the unary op. */
const composed = (act: Act) => (x: d.Tensor, w: d.Tensor, b?: d.Tensor) => {
  const y = d.matmul(x, d.transpose(w, 0, 1));
  return activate(act, b === undefined ? y : d.add(y, b));
};
const fusedAct = (act: Act) => (x: d.Tensor, w: d.Tensor, b?: d.Tensor) => linearActivation(x, w, b ?? null, act);

/** y and the gradients of every input under upstream g, through `fn`, as plain arrays. */
function runAll(fn: (...ts: d.Tensor[]) => d.Tensor, inputs: d.Tensor[], g: d.Tensor): Float32Array[] {
  const leaves = inputs.map((t) => t.detach().requiresGrad_());
  const y = fn(...leaves);
  y.backward(g.to(y.device));
  const out = [y, ...leaves.map((t) => t.grad!)].map((t) => t.dataSync() as Float32Array);
  d.dispose([...leaves, y]);
  return out;
}

/** x [m, k] (every 7th row scaled so gelu sees its tails), w [n, k], b [n] and g [m, n]. */
function operands(m: number, n: number, k: number): d.Tensor[] {
  const rowScale = d.tensor(Array.from({ length: m }, (_, i) => [i % 7 === 3 ? 8 : 1]));
  const x = d.mul(d.randn([m, k]), rowScale);
  rowScale.dispose();
  return [x, d.randn([n, k]), d.randn([n]), d.randn([m, n])];
}

const SHAPES = [[1, 1, 1], [3, 10, 17], [17, 130, 3], [130, 257, 17], [257, 10, 130], [1, 257, 257]];

describe('linearActivation: Linear → ReLU/GELU fused into the GEMM epilogue', () => {
  test('matches act(matmul + add) bit for bit, forward and every gradient, with and without bias, at awkward shapes', () => {
    d.manualSeed(5);
    for (const act of ACTS) for (const [m, n, k] of SHAPES) {
      const [x, w, b, g] = operands(m, n, k);
      for (const inputs of [[x, w, b], [x, w]]) {
        const fused = runAll(fusedAct(act), inputs, g);
        const want = runAll(composed(act), inputs, g);
        fused.forEach((v, i) => expectSameBits(v, want[i]));
        const ref = runAll(fusedAct(act), inputs.map((t) => t.to('reference')), g);
        fused.forEach((v, i) => expectClose(v, ref[i], { rtol: 1e-3, atol: 1e-3 }, `${act} ${m}×${n}×${k} output ${i}`));
      }
      d.dispose([x, w, b, g]);
    }
  });

  test('masks relu the way relu does at 0 and NaN pre-activations (gradient cut at 0, passed at NaN)', () => {
    // row 0 of x is zero and b has zeros (pre-activation exactly 0); row 1 holds a NaN
    const x = d.tensor([[0, 0, 0], [NaN, 1, 2], [1, -2, 0.5]]), w = d.randn([4, 3]), b = d.tensor([0, 0.5, 0, -0.25]);
    const g = d.randn([3, 4]);
    const fused = runAll(fusedAct('relu'), [x, w, b], g), want = runAll(composed('relu'), [x, w, b], g);
    fused.forEach((v, i) => expectSameBits(v, want[i]));
    expect(Array.from(fused[0].slice(0, 4))).toEqual([0, 0.5, 0, 0]);
    expect(fused[0].slice(4, 8).every(Number.isNaN)).toBe(true);
    d.dispose([x, w, b, g]);
  });

  test('second-order gradients through the fused GELU equal the composition\'s (pre-activation is a graph node)', () => {
    d.manualSeed(6);
    const [x0, w0, b0, g] = operands(9, 10, 17);
    const secondOrder = (fn: (...ts: d.Tensor[]) => d.Tensor) => {
      const [x, w, b] = [x0, w0, b0].map((t) => t.detach().requiresGrad_());
      const y = fn(x, w, b);
      const [gx] = d.gradients(y, [x], g, { createGraph: true });
      const out = d.gradients(d.sum(d.square(gx)), [x, w, b]).map((t) => t.dataSync() as Float32Array);
      d.dispose([x, w, b, y, gx]);
      return out;
    };
    const fused = secondOrder(fusedAct('gelu')), want = secondOrder(composed('gelu'));
    fused.forEach((v, i) => expectSameBits(v, want[i]));
    expect(fused[1].some((e) => e !== 0)).toBe(true);
    d.dispose([x0, w0, b0, g]);
  });

  test('runs one GEMM and no elementwise op forward', () => {
    const x = d.randn([33, 20]), w = d.randn([7, 20]), b = d.randn([7]);
    for (const act of ACTS) {
      const p = d.startProfile();
      d.tidy(() => linearActivation(x, w, b, act));
      const r = p.stop();
      expect(r.calls.matmulBiasAct).toBe(1);
      expect((r.calls.matmul ?? 0) + (r.calls.binary ?? 0) + (r.calls.unary ?? 0)).toBe(0);
    }
    d.dispose([x, w, b]);
  });

  test('GELU stores its pre-activation only when a gradient is recorded', () => {
    const x = d.randn([6, 5]), w = d.randn([4, 5], { requiresGrad: true }), b = d.randn([4]);
    const bytesHeld = (fn: () => d.Tensor) => {
      const start = d.memory().wasm.bytes;
      const y = fn();
      const held = d.memory().wasm.bytes - start;
      y.dispose();
      return held;
    };
    expect(bytesHeld(() => d.noGrad(() => linearActivation(x, w, b, 'gelu')))).toBe(6 * 4 * 4);
    expect(bytesHeld(() => linearActivation(x, w, b, 'gelu'))).toBe(2 * 6 * 4 * 4);
    expect(bytesHeld(() => linearActivation(x, w, b, 'relu'))).toBe(6 * 4 * 4);
    d.dispose([x, w, b]);
  });

  test('keeps memory flat in a training loop', () => {
    for (const act of ACTS) {
      const w = d.randn([9, 13], { requiresGrad: true }), b = d.randn([9], { requiresGrad: true }), x = d.randn([31, 13]);
      const step = () => d.tidy(() => {
        linearActivation(x, w, b, act).sum().backward();
        for (const p of [w, b]) { p.grad!.dispose(); p.grad = null; }
      });
      step();
      const start = d.memory().wasm;
      for (let i = 0; i < 5; i++) step();
      expect(d.memory().wasm).toEqual(start);
      d.dispose([w, b, x]);
    }
  });

  test('rejects an unknown activation with a DescentError, creating nothing', () => {
    const x = d.randn([4, 5]), w = d.randn([3, 5]);
    const start = d.memory().wasm;
    for (const bad of ['tanh', 'RELU', undefined]) expect(() => linearActivation(x, w, null, bad as Act)).toThrow(DescentError);
    expect(d.memory().wasm).toEqual(start);
    d.dispose([x, w]);
  });
});

describe('linearActivation on the FMA kernels and on 2 threads', () => {
  afterAll(async () => { await d.init({ device: 'wasm', threads: 1, deterministic: true }); });

  test('matches the composition bit for bit under each GEMM setting, and 2 threads give 1 thread\'s bits', async () => {
    const results: Float32Array[][] = [];
    for (const opts of [{ threads: 1, deterministic: true }, { threads: 2, deterministic: true }, { threads: 1, deterministic: false }]) {
      await d.init({ device: 'wasm', ...opts });
      d.manualSeed(7);
      for (const [m, n, k] of [[257, 130, 300], [130, 10, 257]]) { // n = 10: the FMA build's 3×12 small-n tile
        const [x, w, b, g] = operands(m, n, k);
        for (const act of ACTS) {
          const fused = runAll(fusedAct(act), [x, w, b], g), want = runAll(composed(act), [x, w, b], g);
          fused.forEach((v, i) => expectSameBits(v, want[i]));
          results.push(fused);
        }
        d.dispose([x, w, b, g]);
      }
    }
    for (let i = 0; i < 4; i++) results[4 + i].forEach((v, j) => expectSameBits(v, results[i][j]));
  });
});
