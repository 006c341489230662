// Wasm copy / fill / read / write: dtype conversion bit-exact with ts/dtype.ts over every f16 and
// bf16 bit pattern and a wide sweep of f32 bit patterns (NaN → 0x7E00|sign for f16, 0x7FC0 for bf16,
// overflow → Inf, subnormals); float → i32 truncation (NaN → 0, saturating, ±Inf too); every dtype pair
// on strided views; overlapping same-storage copies.

import { beforeAll, describe, expect, test } from 'vitest';
import { DTYPES, bf16ToF32, encode, f16ToF32, f32ToBf16, f32ToF16, storageArray, type DType } from '../ts/dtype.js';
import type { Storage, View } from '../ts/backend/backend.js';
import { WasmBackend } from '../ts/backend/wasm/index.js';
import { loadRuntime } from '../ts/backend/wasm/runtime.js';
import { freeAll, make, mismatch, output, values } from './wasm-helpers.js';

let be: WasmBackend;
beforeAll(async () => { be = new WasmBackend(await loadRuntime()); });

const flat = (s: Storage, n = s.size): View => ({ storage: s, offset: 0, shape: [n], strides: [1] });

/** Converts `src` (storage bits of `from`) to `to` through the wasm copy kernel. */
function convert(from: DType, to: DType, src: ArrayLike<number>): ArrayLike<number> {
  const a = be.alloc(from, src.length);
  const b = be.alloc(to, src.length);
  const bits = storageArray(from, src.length);
  bits.set(src);
  be.write(a, bits);
  be.copy(flat(a), flat(b));
  const r = be.read(flat(b));
  be.free(a);
  be.free(b);
  return r;
}

const f32Bits = (u: Uint32Array) => new Float32Array(u.buffer);
const toI32 = (x: number) => (Number.isNaN(x) ? 0 : Math.max(-2147483648, Math.min(2147483647, Math.trunc(x))) | 0);

describe('halves', () => {
  test('every f16 bit pattern: f16 → f32 exact, and back unchanged (NaN → 0x7E00|sign)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const wide = convert('f16', 'f32', all);
    for (let h = 0; h < 65536; h++) {
      const want = f16ToF32(h);
      if (Number.isNaN(want)) expect(wide[h]).toBeNaN();
      else if (wide[h] !== want || Object.is(wide[h], -0) !== Object.is(want, -0)) expect(wide[h], `f16 0x${h.toString(16)}`).toBe(want);
    }
    const back = convert('f32', 'f16', wide);
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (back[h] !== (isNaN ? 0x7e00 | (h & 0x8000) : h)) expect(back[h], `f16 0x${h.toString(16)}`).toBe(h);
    }
  });

  test('every bf16 bit pattern: bf16 → f32 exact, and back unchanged (NaN → 0x7FC0)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const wide = convert('bf16', 'f32', all);
    const back = convert('f32', 'bf16', wide);
    for (let h = 0; h < 65536; h++) {
      const want = bf16ToF32(h);
      if (Number.isNaN(want)) { expect(wide[h]).toBeNaN(); expect(back[h]).toBe(0x7fc0); continue; }
      if (wide[h] !== want || back[h] !== h) expect([wide[h], back[h]], `bf16 0x${h.toString(16)}`).toEqual([want, h]);
    }
  });

  test('f32 → f16 / bf16 bit-exact with ts/dtype.ts over a sweep of 2^22 f32 bit patterns', () => {
    // (all 2^32 patterns: `npm run verify -- half`)
    const CHUNK = 1 << 20;
    for (let c = 0; c < 4; c++) {
      // stride 1021 through the whole 32-bit space (odd, so every exponent and rounding case is hit)
      const u = new Uint32Array(CHUNK);
      for (let i = 0; i < CHUNK; i++) u[i] = ((c * CHUNK + i) * 1021 + c) >>> 0;
      const x = f32Bits(u);
      const h = convert('f32', 'f16', x);
      const b = convert('f32', 'bf16', x);
      for (let i = 0; i < CHUNK; i++) {
        const nan = Number.isNaN(x[i]);
        const wantH = nan ? 0x7e00 | ((u[i] >>> 16) & 0x8000) : f32ToF16(x[i]);
        const wantB = nan ? 0x7fc0 : f32ToBf16(x[i]);
        if (h[i] !== wantH || b[i] !== wantB) expect([h[i], b[i]], `f32 bits 0x${u[i].toString(16)}`).toEqual([wantH, wantB]);
      }
    }
  });

  test('f32 → f16 around the overflow threshold, ties and subnormals', () => {
    const xs = [65504, 65519.99, 65520, -65520, 1e9, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0000001, 3 * 2 ** -25, 2 ** -14,
      2 ** -14 - 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1e-45, -0, 0];
    const got = convert('f32', 'f16', new Float32Array(xs));
    expect(Array.from(got)).toEqual(xs.map((x) => f32ToF16(x)));
  });

  test('f64 → f16 / bf16 round through f32, as ts/dtype.ts does', () => {
    const xs = values('f64', 4096, 17, 70000).concat([1 + 2 ** -11 + 2 ** -40, 65519.999999, 1e-8, -3e-39]);
    expect(Array.from(convert('f64', 'f16', new Float64Array(xs)))).toEqual(xs.map((x) => f32ToF16(x)));
    expect(Array.from(convert('f64', 'bf16', new Float64Array(xs)))).toEqual(xs.map((x) => (Number.isNaN(x) ? 0x7fc0 : f32ToBf16(x))));
  });
});

test('float → i32 truncates toward zero; NaN → 0; ±Inf and out of range saturate', () => {
  const xs = [NaN, Infinity, -Infinity, 2.9, -2.9, 0.5, -0.5, 3e9, -3e9, 2147483647, -2147483648, 2147483520, 1e300, -0];
  expect(Array.from(convert('f64', 'i32', new Float64Array(xs)))).toEqual(xs.map(toI32));
  const f = new Float32Array(xs);
  expect(Array.from(convert('f32', 'i32', f))).toEqual(Array.from(f, toI32));
  const ints = [0, 1, -1, 16777217, -16777217, 2147483647, -2147483648, 65519, 65520, 123456789];
  expect(Array.from(convert('i32', 'f32', new Int32Array(ints)))).toEqual(ints.map(Math.fround));
  expect(Array.from(convert('i32', 'f16', new Int32Array(ints)))).toEqual(ints.map((v) => f32ToF16(v)));
  expect(Array.from(convert('i32', 'f64', new Int32Array(ints)))).toEqual(ints);
});

test('every dtype pair on strided and transposed views', () => {
  let seed = 11;
  for (const from of DTYPES) for (const to of DTYPES) for (const shape of [[0], [1], [7], [3, 17], [2, 3, 5]]) {
    const gen = (n: number, s: number) => Array.from(encode(from, values(from === 'i32' ? 'i32' : 'f64', n, s, 300)));
    const src = make(be, from, shape, 'transposed', seed++, gen);
    const dst = make(be, to, shape, 'strided', seed++);
    be.copy(src.view, dst.view);
    const nums = from === 'f16' ? src.logical.map(f16ToF32) : from === 'bf16' ? src.logical.map(bf16ToF32) : src.logical;
    const want = to === 'i32' ? nums.map(toI32) : Array.from(encode(to, nums));
    expect(mismatch(be.read(dst.view), want, 0, 0, `${from} → ${to} [${shape}]`)).toBeNull();
    freeAll(be, src, dst);
  }
});

test('copy within one storage (overlapping ranges) and cat-style writes into slices', () => {
  const s = be.alloc('f32', 10);
  be.write(s, Float32Array.from({ length: 10 }, (_, i) => i));
  be.copy({ storage: s, offset: 0, shape: [8], strides: [1] }, { storage: s, offset: 2, shape: [8], strides: [1] });
  expect(Array.from(be.read(flat(s)))).toEqual([0, 1, 0, 1, 2, 3, 4, 5, 6, 7]);
  const cat = output(be, 'f64', [2, 6]);
  const a = make(be, 'f32', [2, 4], 'contiguous', 3), b = make(be, 'i32', [2, 2], 'transposed', 4);
  be.copy(a.view, { ...cat, shape: [2, 4] });
  be.copy(b.view, { ...cat, offset: 4, shape: [2, 2] });
  expect(Array.from(be.read(cat))).toEqual([...a.logical.slice(0, 4), ...b.logical.slice(0, 2), ...a.logical.slice(4), ...b.logical.slice(2)]);
  freeAll(be, s, cat, a, b);
});

test('fill converts like copy; write/read with offsets; bad writes are DescentErrors', () => {
  const cases: [DType, number, number][] = [['f32', 0.1, Math.fround(0.1)], ['f64', 0.1, 0.1], ['i32', -3.7, -3], ['i32', NaN, 0], ['i32', -Infinity, -2147483648],
    ['f16', 70000, 0x7c00], ['f16', 1 / 3, f32ToF16(1 / 3)], ['bf16', NaN, 0x7fc0], ['bf16', 1 / 3, f32ToBf16(1 / 3)]];
  for (const [dtype, v, bits] of cases) {
    const s = be.alloc(dtype, 37);
    be.fill(s, v);
    expect(Array.from(be.read(flat(s))), `${dtype} ${v}`).toEqual(new Array(37).fill(bits));
    be.free(s);
  }
  const s = be.alloc('f64', 5);
  be.fill(s, 0);
  be.write(s, new Float64Array([7, 8]), 3);
  expect(Array.from(be.read({ storage: s, offset: 1, shape: [2, 2], strides: [2, 1] }))).toEqual([0, 0, 7, 8]);
  expect(() => be.write(s, new Float64Array(3), 3)).toThrow(/do not fit/);
  expect(() => be.read({ storage: s, offset: 1, shape: [5], strides: [1] })).toThrow(/reaches element 5/);
  be.free(s);
  expect(() => be.read(flat(s))).toThrow(/freed/);
});
