// Raw f32 ↔ f16 / bf16 / fp8 conversions on typed arrays (assembly/f32-*-vcvt, SIMD): copies into
// the wasm memory, converts, copies back, a cache-sized chunk at a time. Rounding rules:
// assembly/_lib/minifloat.ts (nearest-even bit-exact with PyTorch for f16/bf16; OCP OFP8 for fp8; NaN payloads dropped when narrowing,
// kept when widening). Stochastic rounding draws one Philox word per element from the global
// stream (`manualSeed`), so a seed gives the same bits on every device. Needs `await init()`.

import { check, checkOptions } from '../errors.js';
import { wasmRuntime, withBlocks, type WasmRuntime } from '../backend/wasm/raw.js';
import { reserveWords } from '../ops/random.js';
import { describe } from '../ops/util.js';

export type Rounding = 'nearest' | 'stochastic';
export type Fp8Format = 'e4m3' | 'e5m2';
interface RoundingOption {
  /** 'nearest' (default): round to nearest, ties to even. 'stochastic': unbiased random rounding. */
  rounding?: Rounding;
}
export interface NarrowOptions extends RoundingOption {
  /** Write the codes into this array (x's length) instead of a new one, and return it. */
  out?: Uint16Array;
}
export interface Fp8Options extends RoundingOption {
  /** 'e4m3' (max 448, no Inf) or 'e5m2' (max 57344). */
  format: Fp8Format;
  /** Overflow (and ±Inf) → ±max finite instead of NaN (e4m3) / ±Inf (e5m2). Default false. */
  saturate?: boolean;
  /** Write the codes into this array (x's length) instead of a new one, and return it. */
  out?: Uint8Array;
}
export interface WidenOptions {
  /** Write the values into this array (x's length) instead of a new one, and return it. */
  out?: Float32Array;
}

type K = WasmRuntime['exports'];

function checkInput(where: string, x: unknown, Ctor: { new (n: number): ArrayLike<number>; name: string }): void {
  check(x instanceof Ctor, 'BAD_ARGUMENT', () => `${where}: expected a ${Ctor.name}, got ${describe(x)}`);
}

/** Validated rounding option → the kernel's trailing arguments for the chunk starting at element i (a multiple of 4). */
function rounding(where: string, r: unknown, n: number): (i: number) => [number, number, number, number, number] {
  check(r === undefined || r === 'nearest' || r === 'stochastic', 'BAD_OPTION',
    () => `${where}: expected rounding 'nearest' or 'stochastic', got ${describe(r)}`);
  if (r !== 'stochastic') return () => [0, 0, 0, 0, 0];
  const { key0, key1, counter } = reserveWords(n);
  return (i) => {
    const block = counter + i / 4; // element i draws word i & 3 of Philox block counter + (i >> 2)
    return [1, block >>> 0, Math.floor(block / 2 ** 32) >>> 0, key0, key1];
  };
}

/**
 * opts.out checked (a `Ctor` of x's length, apart from x's bytes), or a new array. Reusing one
 * saves more than the conversion costs on large arrays: a new array's pages are zeroed by the
 * system on first touch.
 */
function output<T extends Codes>(where: string, out: unknown, Ctor: { new (n: number): T; name: string }, x: Codes): T {
  if (out === undefined) return new Ctor(x.length);
  check(out instanceof Ctor && out.length === x.length, 'BAD_OPTION',
    () => `${where}: expected out to be a ${Ctor.name} of length ${x.length}, got ${describe(out)}`);
  const o = out as T;
  const apart = o.buffer !== x.buffer || o.byteOffset >= x.byteOffset + x.byteLength || x.byteOffset >= o.byteOffset + o.byteLength;
  check(apart, 'BAD_OPTION', () => `${where}: expected out apart from the input, got a view overlapping its bytes`);
  return o;
}

// Elements a pass: the input and output blocks (≤ 96 KiB) stay in cache between the copy in, the
// kernel and the copy out, so the large arrays are each touched once. A multiple of 32 (SIMD steps).
const CHUNK = 1 << 14;

type Codes = Uint8Array | Uint16Array | Float32Array;

/** out = convert(x), chunk by chunk through two wasm blocks; call(k, n, px, py, i) converts n elements starting at i. */
function throughWasm<T extends Codes>(where: string, x: Codes, out: T, call: (k: K, n: number, px: number, py: number, i: number) => void): T {
  const rt = wasmRuntime(where);
  const k = rt.exports;
  const n = x.length;
  const m = Math.min(n, CHUNK);
  const view = (a: Codes, p: number, len: number): Codes =>
    a instanceof Float32Array ? rt.views.f32(p, len) : a instanceof Uint16Array ? rt.views.u16(p, len) : rt.views.u8(p, len);
  return withBlocks(rt, [m * x.BYTES_PER_ELEMENT, m * out.BYTES_PER_ELEMENT], ([px, py]) => {
    for (let i = 0; i < n; i += CHUNK) {
      const len = Math.min(CHUNK, n - i);
      view(x, px, len).set(x.subarray(i, i + len));
      call(k, len, px, py, i);
      out.set(view(out, py, len), i);
    }
    return out;
  });
}

function halfPair(name: 'f16' | 'bf16') {
  const narrowK = `f32_${name}_vcvt_wasmsimd` as const;
  const widenK = `${name}_f32_vcvt_wasmsimd` as const;
  const to = (x: Float32Array, opts: NarrowOptions = {}): Uint16Array => {
    const where = `kernels.f32To${name === 'f16' ? 'F16' : 'Bf16'}`;
    checkInput(where, x, Float32Array);
    checkOptions(where, opts, ['rounding', 'out']);
    const out = output(where, opts.out, Uint16Array, x);
    const r = rounding(where, opts.rounding, x.length);
    return throughWasm(where, x, out, (k, n, px, py, i) => k[narrowK](n, px, py, ...r(i)));
  };
  const from = (x: Uint16Array, opts: WidenOptions = {}): Float32Array => {
    const where = `kernels.${name}ToF32`;
    checkInput(where, x, Uint16Array);
    checkOptions(where, opts, ['out']);
    return throughWasm(where, x, output(where, opts.out, Float32Array, x), (k, n, px, py) => k[widenK](n, px, py));
  };
  return [to, from] as const;
}

/**
 * f32 → IEEE binary16 bits. @example kernels.f32ToF16(new Float32Array([1, 65504, 1e-8])) // [0x3c00, 0x7bff, 0]
 */
export const [f32ToF16, f16ToF32] = halfPair('f16');
/**
 * f32 → bfloat16 bits. @example kernels.f32ToBf16(x, { rounding: 'stochastic' })
 */
export const [f32ToBf16, bf16ToF32] = halfPair('bf16');

function fp8Code(where: string, opts: unknown): number {
  check(typeof opts === 'object' && opts !== null, 'BAD_OPTION', () => `${where}: expected options with format 'e4m3' or 'e5m2', got ${describe(opts)}`);
  const f = (opts as Fp8Options).format;
  check(f === 'e4m3' || f === 'e5m2', 'BAD_OPTION', () => `${where}: expected format 'e4m3' or 'e5m2', got ${describe(f)}`);
  return f === 'e4m3' ? 0 : 1;
}

/** f32 → OCP fp8 bits. @example kernels.f32ToFp8(x, { format: 'e4m3', saturate: true }) */
export function f32ToFp8(x: Float32Array, opts: Fp8Options): Uint8Array {
  const where = 'kernels.f32ToFp8';
  checkInput(where, x, Float32Array);
  const format = fp8Code(where, opts);
  checkOptions(where, opts, ['format', 'saturate', 'rounding', 'out']);
  const sat = opts.saturate ?? false;
  check(typeof sat === 'boolean', 'BAD_OPTION', () => `${where}: expected saturate to be a boolean, got ${describe(sat)}`);
  const out = output(where, opts.out, Uint8Array, x);
  const r = rounding(where, opts.rounding, x.length);
  return throughWasm(where, x, out, (k, n, px, py, i) => k.f32_fp8_vcvt_wasmsimd(format, sat ? 1 : 0, n, px, py, ...r(i)));
}

/** OCP fp8 bits → f32, exact. @example kernels.fp8ToF32(bytes, { format: 'e5m2' }) */
export function fp8ToF32(x: Uint8Array, opts: { format: Fp8Format } & WidenOptions): Float32Array {
  const where = 'kernels.fp8ToF32';
  checkInput(where, x, Uint8Array);
  const format = fp8Code(where, opts);
  checkOptions(where, opts, ['format', 'out']);
  return throughWasm(where, x, output(where, opts.out, Float32Array, x), (k, n, px, py) => k.fp8_f32_vcvt_wasmsimd(format, n, px, py));
}
