// The fused softmax cross-entropy kernel: the wasm kernel (SIMD and scalar) against its reference
// twin over awkward shapes and values, the raw kernels entry and its errors, and crossEntropy's
// fused path against the unfused composite (values, gradients, ignoreIndex, createGraph, memory).

import { beforeAll, describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import type { WasmBackend } from '../ts/backend/wasm/index.js';
import { getBackend } from '../ts/engine.js';
import { crossEntropyUnfused } from '../ts/nn/functional/cross-entropy.js';
import { randomValues, seeded } from './helpers/compare.js';

const F = d.nn.functional;

beforeAll(async () => {
  await d.init({ device: 'wasm' });
});

function data(rows: number, cols: number, seed: number, scale = 3): { x: Float32Array; y: Int32Array } {
  const r = seeded(seed);
  const x = Float32Array.from(randomValues(rows * cols, seed, -scale, scale));
  const y = Int32Array.from({ length: rows }, () => Math.floor(r() * cols));
  return { x, y };
}

/** f64 oracle straight from the definition. */
function oracle(x: Float32Array, y: Int32Array, rows: number, cols: number) {
  const loss = new Float64Array(rows);
  const grad = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
    const m = Math.max(...row);
    const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
    loss[r] = m - row[y[r]] + Math.log(s);
    row.forEach((v, j) => { grad[r * cols + j] = Math.exp(v - m) / s - (j === y[r] ? 1 : 0); });
  }
  return { loss, grad };
}

function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]))) expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

const SHAPES: [number, number][] = [[1, 1], [3, 3], [2, 7], [5, 17], [4, 129], [7, 1000], [2, 50257], [0, 5]];

describe('kernels.softmaxCrossEntropy (raw entry)', () => {
  test.each(SHAPES)('rows %i × cols %i matches the f64 definition', (rows, cols) => {
    const { x, y } = data(rows, cols, rows * 31 + cols);
    const { loss, dlogits } = d.kernels.softmaxCrossEntropy(x, y, rows, cols);
    const o = oracle(x, y, rows, cols);
    expectNear(loss, o.loss, 1e-5, 1e-5, 'loss');
    expectNear(dlogits, o.grad, 1e-5, 1e-6, 'dlogits');
  });

  test('stable for ±1e4 logits and for equal rows', () => {
    const x = Float32Array.from([1e4, -1e4, 0, 5, -1e4, -1e4, -1e4, -1e4, 3, 3, 3, 3, -1e4, 1e4, 1e4, -3]);
    const y = Int32Array.from([1, 2, 0, 2]);
    const { loss, dlogits } = d.kernels.softmaxCrossEntropy(x, y, 4, 4);
    expectNear(loss, [2e4, Math.log(4), Math.log(4), Math.log(2)], 1e-6, 1e-6, 'loss');
    expectNear(dlogits, [1, -1, 0, 0, 0.25, 0.25, -0.75, 0.25, -0.75, 0.25, 0.25, 0.25, 0, 0.5, -0.5, 0], 0, 1e-6, 'dlogits');
  });

  test('±Inf in a row makes that row NaN (as torch); −Inf next to finite logits is a zero probability', () => {
    const x = Float32Array.from([1, Infinity, 2, 0, -Infinity, 2, -Infinity, -Infinity, -Infinity]);
    const { loss, dlogits } = d.kernels.softmaxCrossEntropy(x, Int32Array.from([0, 2, 1]), 3, 3);
    expect(Number.isNaN(loss[0]) && Number.isNaN(loss[2])).toBe(true);
    expect(loss[1]).toBeCloseTo(Math.log(1 + Math.exp(-2)), 6);
    expect(dlogits[4]).toBeLessThan(1e-30);
    expect(Array.from(dlogits.subarray(6)).every(Number.isNaN)).toBe(true);
  });

  test('NaN in a row stays in that row', () => {
    const { loss, dlogits } = d.kernels.softmaxCrossEntropy(Float32Array.from([1, NaN, 2, 0, 1, 2]), Int32Array.from([0, 1]), 2, 3);
    expect(Number.isNaN(loss[0])).toBe(true);
    expect(Array.from(dlogits.subarray(0, 3)).every(Number.isNaN)).toBe(true);
    expect(Number.isFinite(loss[1])).toBe(true);
  });

  test('bad arguments are DescentErrors', () => {
    const x = new Float32Array(6);
    expect(() => d.kernels.softmaxCrossEntropy(x, Int32Array.from([0, 3]), 2, 3)).toThrow(expect.objectContaining({ code: 'INDEX_OUT_OF_RANGE' }));
    expect(() => d.kernels.softmaxCrossEntropy(x, Int32Array.from([0]), 2, 3)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    expect(() => d.kernels.softmaxCrossEntropy(new Float64Array(6) as never, Int32Array.from([0, 1]), 2, 3)).toThrow(/Float32Array/);
    expect(() => d.kernels.softmaxCrossEntropy(x, Int32Array.from([0, 1]), 2, 0)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  });
});

describe('Backend.softmaxCrossEntropy: wasm SIMD and scalar kernels vs the reference twin', () => {
  test.each(SHAPES.filter(([r]) => r > 0))('rows %i × cols %i, ignored rows, scale', (rows, cols) => {
    const { x, y } = data(rows, cols, rows + 7 * cols, 20);
    y[rows - 1] = -1; // ignored row
    const outs = (device: d.Device) => {
      const X = d.tensor(x, { shape: [rows, cols], device });
      const Y = d.tensor(y, { device, dtype: 'i32' });
      const L = d.zeros([rows], { device });
      const G = d.zeros([rows, cols], { device });
      X.backend.softmaxCrossEntropy!(X, Y, L, G, 0.25);
      return { loss: L.dataSync(), grad: G.dataSync() };
    };
    const w = outs('wasm');
    const r = outs('reference');
    expectNear(w.loss, r.loss, 1e-5, 1e-5, 'loss');
    expectNear(w.grad, r.grad, 1e-5, 1e-7, 'dlogits');
    expect(w.loss[rows - 1]).toBe(0);
    expect(Array.from(w.grad.subarray((rows - 1) * cols)).every((v) => v === 0)).toBe(true);
    // The scalar kernel (the readable ground truth) agrees with the SIMD one.
    const rt = (getBackend('wasm') as WasmBackend).rt;
    const k = rt.exports as unknown as Record<string, (...a: number[]) => void>;
    const pX = rt.malloc(x.length * 4), pY = rt.malloc(rows * 4), pL = rt.malloc(rows * 4), pG = rt.malloc(x.length * 4);
    rt.views.f32(pX, x.length).set(x);
    rt.views.i32(pY, rows).set(y);
    for (const name of ['f32_softmaxce_scalar', 'f32_softmaxce_wasmrelaxedsimd']) {
      if (k[name] === undefined) continue; // the relaxed variant exists only in the relaxed build
      k[name](pX, pY, rows, cols, pL, pG, 0.25);
      expectNear(rt.views.f32(pL, rows), w.loss, 1e-6, 1e-6, `${name} loss`);
      expectNear(rt.views.f32(pG, x.length), w.grad, 1e-6, 1e-8, `${name} dlogits`);
    }
    for (const p of [pX, pY, pL, pG]) rt.release(p);
  });
});

describe('crossEntropy fused path = unfused composite', () => {
  const cases = [['mean', {}], ['sum', {}], ['none', {}], ['mean', { ignoreIndex: 2 }], ['sum', { ignoreIndex: 0 }]] as const;
  test.each(cases)('reduction %s %o', (reduction, extra) => {
    const rows = 9, cols = 13;
    const { x, y } = data(rows, cols, 5, 4);
    const run = (fn: typeof F.crossEntropy) => d.tidy(() => {
      const X = d.tensor(x, { shape: [rows, cols], device: 'wasm', requiresGrad: true });
      const out = fn(X, d.tensor(y, { device: 'wasm', dtype: 'i32' }), { reduction, ...extra });
      expect(out.gradFn?.name === 'crossEntropy').toBe(fn === F.crossEntropy);
      out.mul(d.arange(1, out.size + 1, 1, { device: 'wasm', dtype: 'f32' }).reshape(out.shape)).sum().backward();
      return [out.dataSync(), X.grad!.dataSync()];
    });
    const [fl, fg] = run(F.crossEntropy);
    const [ul, ug] = run(crossEntropyUnfused);
    expectNear(fl, ul, 1e-5, 1e-6, 'loss');
    expectNear(fg, ug, 1e-5, 1e-7, 'grad');
  });

  test('the target is used in place when contiguous with no ignored row, copied otherwise; a strided target agrees', () => {
    const rows = 7, cols = 5;
    const { x, y } = data(rows, cols, 3, 8);
    const X = d.tensor(x, { shape: [rows, cols], device: 'wasm' });
    const wide = d.tensor(Int32Array.from(Array.from(y).flatMap((c) => [c, cols + 3])), { shape: [rows, 2], device: 'wasm', dtype: 'i32' });
    const strided = wide.narrow(1, 0, 1).reshape([rows]); // stride 2: not contiguous
    const plain = d.tensor(y, { device: 'wasm', dtype: 'i32' });
    expect(strided.isContiguous()).toBe(false);
    const p = d.startProfile();
    const inPlace = F.crossEntropy(X, plain);
    const writes = p.stop().calls.write ?? 0;
    const copied = F.crossEntropy(X, strided);
    expect(writes).toBe(1); // the reduced loss only: no label tensor written
    expect(copied.item()).toBe(inPlace.item());
    expect(inPlace.item()).toBeCloseTo(crossEntropyUnfused(X, plain).item(), 5);
    d.dispose([X, wide, strided, plain, inPlace, copied]);
  });

  test('under createGraph the fused VJP is differentiable (second order matches unfused)', () => {
    const { x, y } = data(4, 6, 11, 2);
    const v = d.tensor(Float32Array.from(randomValues(24, 3)), { shape: [4, 6], device: 'wasm' });
    const hvpOf = (fn: typeof F.crossEntropy) => {
      const labels = d.tensor(y, { device: 'wasm', dtype: 'i32' });
      const [, h] = d.hvp((z: d.Tensor) => fn(z, labels), d.tensor(x, { shape: [4, 6], device: 'wasm' }), v);
      return (h as d.Tensor).dataSync();
    };
    expectNear(hvpOf(F.crossEntropy), hvpOf(crossEntropyUnfused), 1e-4, 1e-6, 'hvp');
  });

  test('no graph: nothing saved, memory flat; with a graph: freed after backward', () => {
    const { x, y } = data(16, 10, 9);
    const X = d.tensor(x, { shape: [16, 10], device: 'wasm' });
    const Y = d.tensor(y, { device: 'wasm', dtype: 'i32' });
    const start = d.memory().wasm;
    const l = F.crossEntropy(X, Y);
    expect(l.gradFn).toBeNull();
    l.dispose();
    expect(d.memory().wasm).toEqual(start);
    X.requiresGrad = true;
    d.tidy(() => F.crossEntropy(X, Y).backward());
    X.grad!.dispose();
    X.grad = null;
    expect(d.memory().wasm).toEqual(start);
  });
});

describe('non-finite logits give PyTorch\'s answer on the raw kernel', () => {
  test('a −Inf logit has a gradient of exactly 0, and one at the label an infinite loss (wide rows take the SIMD loop)', () => {
    for (const cols of [3, 37]) {
      const x = new Float32Array(2 * cols).fill(0.5);
      x[1] = -Infinity; // row 0: −Inf off the label
      x[cols] = -Infinity; // row 1: −Inf at the label
      const { loss, dlogits } = d.kernels.softmaxCrossEntropy(x, new Int32Array([0, 0]), 2, cols);
      expect(dlogits[1]).toBe(0); // before: 3.27e-38 from the clamped exponent
      expect(dlogits[cols]).toBe(-1);
      expect(loss[1]).toBe(Infinity);
      expect(loss[0]).toBeCloseTo(Math.log(cols - 1), 5);
    }
  });

  test('a +Inf logit makes its row NaN (loss and gradient), as torch', () => {
    const { loss, dlogits } = d.kernels.softmaxCrossEntropy(new Float32Array([Infinity, 0, 1, 1, 2, 3]), new Int32Array([1, 2]), 2, 3);
    expect(Number.isNaN(loss[0]) && Array.from(dlogits.slice(0, 3)).every(Number.isNaN)).toBe(true);
    expect(Number.isFinite(loss[1])).toBe(true);
  });
});

test('the scalar twin and both SIMD kernels agree at ±Inf logits: −Inf gets exactly 0, +Inf makes the row NaN', () => {
  const rows = 3, cols = 37;
  const x = new Float32Array(rows * cols).fill(0.25);
  x[1] = -Infinity; // row 0: −Inf off the label
  x[cols] = -Infinity; // row 1: −Inf at the label
  x[2 * cols + 5] = Infinity; // row 2: +Inf
  const rt = (getBackend('wasm') as WasmBackend).rt;
  const k = rt.exports as unknown as Record<string, (...a: number[]) => void>;
  const pX = rt.malloc(x.length * 4), pY = rt.malloc(rows * 4), pL = rt.malloc(rows * 4), pG = rt.malloc(x.length * 4);
  rt.views.f32(pX, x.length).set(x);
  rt.views.i32(pY, rows).set([0, 0, 0]);
  const names = ['f32_softmaxce_scalar', 'f32_softmaxce_wasmsimd', 'f32_softmaxce_wasmrelaxedsimd'].filter((n) => k[n] !== undefined);
  expect(names.length, `kernels exported: ${names.join(', ')}`).toBeGreaterThanOrEqual(2); // the scalar twin and a SIMD one
  for (const name of names) {
    k[name](pX, pY, rows, cols, pL, pG, 1);
    const loss = rt.views.f32(pL, rows), g = rt.views.f32(pG, x.length);
    expect([g[1], g[cols], loss[1]], name).toEqual([0, -1, Infinity]);
    expect(Number.isNaN(loss[2]) && Array.from(g.subarray(2 * cols)).every(Number.isNaN), name).toBe(true);
  }
  for (const p of [pX, pY, pL, pG]) rt.release(p);
});
