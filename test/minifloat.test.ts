// f32 ↔ f16 / bf16 / fp8 conversion kernels (assembly/f32-*-vcvt): the SIMD and scalar kernels
// agree bit for bit with the host reference ts/minifloat.ts on sampled f32 bit patterns, in both
// rounding modes, saturating or not; f16/bf16 match PyTorch (halves.json), fp8 the OCP spec
// (fp8.json); stochastic rounding is unbiased, lands on a neighbour and replays from the seed.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { getBackend } from '../ts/engine.js';
import type { WasmBackend } from '../ts/backend/wasm/index.js';
import { narrow, widen, type Minifloat } from '../ts/minifloat.js';
import { getRngState, randomWords } from '../ts/ops/random.js';

await d.init({ device: 'wasm' });
const { kernels } = d;
const rt = (getBackend('wasm') as WasmBackend).rt;
const k = rt.exports as unknown as Record<string, (...a: number[]) => void>;
const json = (f: string) => JSON.parse(readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8'));
const halves = json('halves.json') as { f32bits: number[]; f16bits: number[]; bf16bits: number[] };
const fp8 = json('fp8.json') as { f32bits: number[] } & Record<'e4m3' | 'e5m2', { values: (number | null)[]; nearest: number[]; saturate: number[] }>;
const hex = (v: number) => `0x${v.toString(16)}`;

/** Random f32 bit patterns (every exponent, NaNs, subnormals), plus 8k near format boundaries. */
function samples(n: number): Float32Array {
  const w = new Uint32Array(n);
  for (let i = 0; i < n; i++) w[i] = (Math.random() * 2 ** 32) >>> 0;
  for (let i = 0; i < 8192 && i < n; i++) w[i] = (((i % 2) << 31) | (((96 + (i % 64)) << 23) >>> 0) | (w[i] & 0x7fffff)) >>> 0;
  return new Float32Array(w.buffer);
}

const FORMATS: [Minifloat, number][] = [['f16', 2], ['bf16', 2], ['fp8e4m3', 1], ['fp8e5m2', 1]];

/** Runs kernel `name` (scalar or wasmsimd) on x; returns the codes. */
function runKernel(format: Minifloat, isa: string, x: Float32Array, sat: boolean, st: number[]): Uint16Array | Uint8Array {
  const n = x.length;
  const width = format.startsWith('fp8') ? 1 : 2;
  const px = rt.malloc(n * 4), py = rt.malloc(n * width);
  try {
    rt.views.f32(px, n).set(x);
    if (width === 1) k[`f32_fp8_vcvt_${isa}`](format === 'fp8e4m3' ? 0 : 1, sat ? 1 : 0, n, px, py, ...st);
    else k[`f32_${format}_vcvt_${isa}`](n, px, py, ...st);
    return width === 2 ? rt.views.u16(py, n).slice() : rt.views.u8(py, n).slice();
  } finally {
    rt.release(px);
    rt.release(py);
  }
}

describe('narrowing kernels equal the host reference bit for bit', () => {
  const x = samples(20011); // odd: SIMD body plus a scalar tail
  const cases = FORMATS.flatMap(([f]) => (f.startsWith('fp8') ? [false, true] : [false]).flatMap((sat) => [[f, sat, false], [f, sat, true]] as const));
  test.each(cases)('%s saturate=%s stochastic=%s', (format, sat, stochastic) => {
    // the kernels draw word i & 3 of Philox block c + (i >> 2): replay that stream on the host
    const c = 12345, key = [77, 0x9abc];
    const st = stochastic ? [1, c, 0, key[0], key[1]] : [0, 0, 0, 0, 0];
    const want = x.map((v, i) => narrow(format, v, sat, stochastic ? hostWord(i, c, key) : undefined));
    for (const isa of ['scalar', 'wasmsimd']) {
      const got = runKernel(format, isa, x, sat, st);
      for (let i = 0; i < x.length; i++) {
        if (got[i] !== want[i]) expect.fail(`${isa} ${format}: ${hex(new Uint32Array(x.buffer)[i])} → ${hex(got[i])}, reference ${hex(want[i])}`);
      }
    }
  });
});

test('f32 → f16 nearest SIMD: NaN payloads, the overflow clamp and the subnormal boundary in every lane', () => {
  // the recipe's special lanes (assembly/_lib/minifloat-simd.ts): NaN stand-in, |x| clamped at 65536, magic at 2^-14
  const bits = [0x7f800001, 0x7f80ffff, 0x7fc00000, 0x7fffffff, 0xff800001, 0xffc00000, 0x7f800000, 0xff800000,
    0x7f7fffff, 0x00000001, 0x007fffff, 0x80000000, 0x00000000];
  const values = [65504, 65519.99, 65520, 65535.99, 65536, 65537, 786432, -786432, 2 ** -14, 2 ** -14 * (1 - 2 ** -24),
    2 ** -24, 2 ** -25, 3 * 2 ** -25, 1.5 * 2 ** -24, 2 ** -14 - 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, -2049 * 2 ** -11];
  const edge = [...new Float32Array(Uint32Array.from(bits).buffer), ...Float32Array.from(values)];
  // 16 rotations: each value visits every lane of a 16-element SIMD step
  const x = Float32Array.from({ length: edge.length * 16 }, (_, i) => edge[(i + (i >> 4)) % edge.length]);
  const got = runKernel('f16', 'wasmsimd', x, false, [0, 0, 0, 0, 0]);
  for (let i = 0; i < x.length; i++) {
    const want = narrow('f16', x[i], false);
    if (got[i] !== want) expect.fail(`${hex(new Uint32Array(x.buffer)[i])} in lane ${i & 15} → ${hex(got[i])}, reference ${hex(want)}`);
  }
});

const blockCache = new Map<string, number[]>();
function hostWord(i: number, c: number, key: number[]): number {
  const b = c + (i >> 2);
  const id = `${b}/${key}`;
  if (!blockCache.has(id)) blockCache.set(id, d.philox4x32(b >>> 0, Math.floor(b / 2 ** 32), 0, 0, key[0], key[1]));
  return blockCache.get(id)![i & 3];
}

test('stochastic kernels carry the block counter across 2^32 inside a SIMD step', () => {
  // block 2^32 − 3 starts the stream, so the low word wraps within the first 32 elements
  const x = samples(203);
  const c = 2 ** 32 - 3, key = [5, 0xfedcba98];
  for (const [format] of FORMATS) {
    const want = x.map((v, i) => narrow(format, v, false, hostWord(i, c, key)));
    for (const isa of ['scalar', 'wasmsimd']) {
      const got = runKernel(format, isa, x, false, [1, c >>> 0, 0, key[0], key[1]]);
      for (let i = 0; i < x.length; i++) {
        if (got[i] !== want[i]) expect.fail(`${isa} ${format} element ${i}: ${hex(got[i])}, reference ${hex(want[i])}`);
      }
    }
  }
});

describe('fixtures', () => {
  test('kernels.f32ToF16 / f32ToBf16 match PyTorch 1.13 (halves.json)', () => {
    const x = new Float32Array(Uint32Array.from(halves.f32bits).buffer);
    const h = kernels.f32ToF16(x), b = kernels.f32ToBf16(x);
    for (let i = 0; i < x.length; i++) {
      expect(h[i], `f16 of ${hex(halves.f32bits[i])}`).toBe(halves.f16bits[i]);
      // PyTorch's vectorized bf16 path writes NaN as 0xFFFF; c10::BFloat16 (and we) write 0x7FC0
      const nan = (halves.bf16bits[i] & 0x7f80) === 0x7f80 && (halves.bf16bits[i] & 0x7f) !== 0;
      expect(b[i], `bf16 of ${hex(halves.f32bits[i])}`).toBe(nan ? 0x7fc0 : halves.bf16bits[i]);
    }
  });

  test.each(['e4m3', 'e5m2'] as const)('fp8 %s rounding and values follow the OCP spec (fp8.json)', (format) => {
    const x = new Float32Array(Uint32Array.from(fp8.f32bits).buffer);
    const spec = fp8[format];
    for (const sat of [false, true]) {
      const got = kernels.f32ToFp8(x, { format, saturate: sat });
      const want = sat ? spec.saturate : spec.nearest;
      for (let i = 0; i < x.length; i++) if (got[i] !== want[i]) expect.fail(`${format} sat=${sat}: ${x[i]} → ${hex(got[i])}, spec ${hex(want[i])}`);
    }
    const all = kernels.fp8ToF32(Uint8Array.from({ length: 256 }, (_, i) => i), { format });
    const bits = new Uint32Array(all.buffer);
    spec.values.forEach((v, c) => (v === null ? expect(all[c], `code ${hex(c)}`).toBeNaN() : expect(bits[c], `code ${hex(c)}`).toBe(v)));
  });
});

describe('widening is exact on every code', () => {
  test.each(FORMATS)('%s', (format, width) => {
    const n = 1 << (8 * width);
    const codes = width === 2 ? Uint16Array.from({ length: n }, (_, i) => i) : Uint8Array.from({ length: n }, (_, i) => i);
    const got = format === 'f16' ? kernels.f16ToF32(codes as Uint16Array) : format === 'bf16' ? kernels.bf16ToF32(codes as Uint16Array)
      : kernels.fp8ToF32(codes as Uint8Array, { format: format === 'fp8e4m3' ? 'e4m3' : 'e5m2' });
    for (let c = 0; c < n; c++) {
      const want = widen(format, c);
      if (!(Object.is(got[c], want) || (Number.isNaN(want) && Number.isNaN(got[c])))) expect.fail(`${format} ${hex(c)}: ${got[c]} vs ${want}`);
    }
    if (format === 'f16') expect(new Uint32Array(got.buffer)[0xfc01]).toBe(0xff802000); // NaN payload and sign kept
  });
});

describe('stochastic rounding', () => {
  test.each([['f16', 1 + 0.3 * 2 ** -10], ['bf16', -(1 + 0.7 * 2 ** -7)], ['fp8e4m3', 0.2], ['fp8e5m2', 3e-5]] as const)(
    '%s: unbiased, only the two neighbours', (format, v) => {
      const n = 40000;
      const x = new Float32Array(n).fill(v);
      d.manualSeed(5);
      const codes = format === 'f16' ? kernels.f32ToF16(x, { rounding: 'stochastic' }) : format === 'bf16' ? kernels.f32ToBf16(x, { rounding: 'stochastic' })
        : kernels.f32ToFp8(x, { format: format === 'fp8e4m3' ? 'e4m3' : 'e5m2', rounding: 'stochastic' });
      const down = narrow(format, v, false, 0), up = narrow(format, v, false, 0xffffffff);
      expect(up).not.toBe(down);
      let sum = 0;
      for (const c of codes) {
        if (c !== down && c !== up) expect.fail(`${format}: ${hex(c)} is neither neighbour ${hex(down)} nor ${hex(up)}`);
        sum += widen(format, c);
      }
      const lo = widen(format, down), hi = widen(format, up);
      const p = (Math.fround(v) - lo) / (hi - lo);
      const sd = Math.abs(hi - lo) * Math.sqrt(p * (1 - p) / n);
      expect(Math.abs(sum / n - Math.fround(v))).toBeLessThan(4 * sd); // 4σ: fails by chance < 1e-4
    });

  test('the same seed gives the same bits as the host stream (randomWords), across the entry point\'s chunks', () => {
    const x = samples(40003); // over two 16384-element chunks and a tail
    d.manualSeed(42);
    const a = kernels.f32ToBf16(x, { rounding: 'stochastic' });
    const after = getRngState().counter;
    d.manualSeed(42);
    const w = randomWords(x.length);
    expect(getRngState().counter).toBe(after); // the kernel advanced the stream exactly as the host
    x.forEach((v, i) => expect(a[i]).toBe(narrow('bf16', v, false, w[i])));
  });
});

describe('out option', () => {
  test('the codes (and widened values) land in out, which is returned', () => {
    const x = samples(5001);
    const h = new Uint16Array(x.length), b = new Uint8Array(x.length), f = new Float32Array(x.length);
    expect(kernels.f32ToF16(x, { out: h })).toBe(h);
    expect(Array.from(h)).toEqual(Array.from(kernels.f32ToF16(x)));
    expect(kernels.f32ToFp8(x, { format: 'e5m2', saturate: true, out: b })).toBe(b);
    expect(Array.from(b)).toEqual(Array.from(kernels.f32ToFp8(x, { format: 'e5m2', saturate: true })));
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
    expect(kernels.bf16ToF32(h, { out: f })).toBe(f);
    expect(bits(f)).toEqual(bits(kernels.bf16ToF32(h)));
    expect(kernels.fp8ToF32(b, { format: 'e5m2', out: f })).toBe(f);
    expect(bits(f)).toEqual(bits(kernels.fp8ToF32(b, { format: 'e5m2' })));
  });
});

describe('tensor casts', () => {
  test('.half(), .bfloat16(), .float() equal .to() on both devices', () => {
    const x = samples(999);
    d.tidy(() => {
      for (const device of ['wasm', 'reference'] as const) {
        const t = d.tensor(x, { device });
        const h = t.half(), b = t.bfloat16();
        expect([h.dtype, b.dtype, h.float().dtype]).toEqual(['f16', 'bf16', 'f32']);
        expect(Array.from(h.backend.read(h) as Uint16Array)).toEqual(Array.from(kernels.f32ToF16(x)));
        expect(Array.from(b.backend.read(b) as Uint16Array)).toEqual(Array.from(kernels.f32ToBf16(x)));
        expect(Array.from(new Uint32Array(h.float().dataSync().buffer))).toEqual(Array.from(new Uint32Array(kernels.f16ToF32(kernels.f32ToF16(x)).buffer)));
      }
    });
  });
});

describe('bad input', () => {
  const x = new Float32Array([1, 2, 3]);
  const spare = new Float32Array(3);
  test.each([
    ['a plain array', () => kernels.f32ToF16([1, 2] as unknown as Float32Array), /expected a Float32Array, got an array/],
    ['Uint8Array into f16ToF32', () => kernels.f16ToF32(new Uint8Array(2) as unknown as Uint16Array), /expected a Uint16Array, got Uint8Array/],
    ['unknown rounding', () => kernels.f32ToBf16(x, { rounding: 'up' as 'nearest' }), /rounding 'nearest' or 'stochastic', got string up/],
    ['unknown option', () => kernels.f32ToF16(x, { saturate: true } as object), /unknown option 'saturate'/],
    ['missing fp8 format', () => kernels.f32ToFp8(x, {} as { format: 'e4m3' }), /format 'e4m3' or 'e5m2', got undefined/],
    ['fp8 e3m4', () => kernels.fp8ToF32(new Uint8Array(1), { format: 'e3m4' as 'e4m3' }), /format 'e4m3' or 'e5m2', got string e3m4/],
    ['non-boolean saturate', () => kernels.f32ToFp8(x, { format: 'e4m3', saturate: 1 as unknown as boolean, rounding: 'stochastic' }), /saturate to be a boolean/],
    ['out of the wrong type', () => kernels.f32ToF16(x, { rounding: 'stochastic', out: new Int16Array(3) as unknown as Uint16Array }), /out to be a Uint16Array of length 3, got Int16Array/],
    ['out of the wrong length', () => kernels.f32ToFp8(x, { format: 'e4m3', rounding: 'stochastic', out: new Uint8Array(2) }), /out to be a Uint8Array of length 3/],
    ['out overlapping the input', () => kernels.f16ToF32(new Uint16Array(spare.buffer, 0, 3), { out: spare }), /out apart from the input/],
  ])('%s → DescentError, the random stream untouched', (_, call, msg) => {
    d.manualSeed(3);
    const before = getRngState();
    spare.fill(7);
    expect(call).toThrow(d.DescentError);
    expect(call).toThrow(msg);
    expect(getRngState()).toEqual(before);
    expect(Array.from(spare)).toEqual([7, 7, 7]);
  });
});
