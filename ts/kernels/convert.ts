// Raw f32 ↔ f16 / bf16 / fp8 conversions on typed arrays (assembly/f32-*-vcvt, SIMD): copies into
// the wasm memory, converts, copies back. Rounding rules: assembly/_lib/minifloat.ts (nearest-even
// bit-exact with PyTorch for f16/bf16; OCP OFP8 for fp8; NaN payloads dropped when narrowing,
// kept when widening). Stochastic rounding draws one Philox word per element from the global
// stream (`manualSeed`), so a seed gives the same bits on every device. Needs `await init()`.

import { check, checkOptions } from '../errors.js';
import { wasmRuntime, withBlocks, type WasmRuntime } from '../backend/wasm/raw.js';
import { reserveWords } from '../ops/random.js';
import { describe } from '../ops/util.js';

export type Rounding = 'nearest' | 'stochastic';
export type Fp8Format = 'e4m3' | 'e5m2';
export interface NarrowOptions {
  /** 'nearest' (default): round to nearest, ties to even. 'stochastic': unbiased random rounding. */
  rounding?: Rounding;
}
export interface Fp8Options extends NarrowOptions {
  /** 'e4m3' (max 448, no Inf) or 'e5m2' (max 57344). */
  format: Fp8Format;
  /** Overflow (and ±Inf) → ±max finite instead of NaN (e4m3) / ±Inf (e5m2). Default false. */
  saturate?: boolean;
}

type K = WasmRuntime['exports'];

function checkInput(where: string, x: unknown, Ctor: { new (n: number): ArrayLike<number>; name: string }): void {
  check(x instanceof Ctor, 'BAD_ARGUMENT', () => `${where}: expected a ${Ctor.name}, got ${describe(x)}`);
}

/** Validated rounding option → [stochastic flag, Philox block counter lo/hi, key0, key1]. */
function rounding(where: string, r: unknown, n: number): [number, number, number, number, number] {
  check(r === undefined || r === 'nearest' || r === 'stochastic', 'BAD_OPTION',
    () => `${where}: expected rounding 'nearest' or 'stochastic', got ${describe(r)}`);
  if (r !== 'stochastic') return [0, 0, 0, 0, 0];
  const { key0, key1, counter } = reserveWords(n);
  return [1, counter >>> 0, Math.floor(counter / 2 ** 32) >>> 0, key0, key1];
}

function narrowWith(where: string, x: Float32Array, bytes: 1 | 2, call: (k: K, px: number, py: number) => void): Uint8Array | Uint16Array {
  const rt = wasmRuntime(where);
  const k = rt.exports;
  const n = x.length;
  return withBlocks(rt, [n * 4, n * bytes], ([px, py]) => {
    rt.views.f32(px, n).set(x);
    if (n > 0) call(k, px, py);
    return bytes === 2 ? rt.views.u16(py, n).slice() : rt.views.u8(py, n).slice();
  });
}

function widenWith(where: string, x: Uint8Array | Uint16Array, call: (k: K, px: number, py: number) => void): Float32Array {
  const rt = wasmRuntime(where);
  const k = rt.exports;
  const n = x.length;
  return withBlocks(rt, [n * x.BYTES_PER_ELEMENT, n * 4], ([px, py]) => {
    (x.BYTES_PER_ELEMENT === 2 ? rt.views.u16(px, n) : rt.views.u8(px, n)).set(x);
    if (n > 0) call(k, px, py);
    return rt.views.f32(py, n).slice();
  });
}

function halfPair(name: 'f16' | 'bf16') {
  const narrowK = `f32_${name}_vcvt_wasmsimd` as const;
  const widenK = `${name}_f32_vcvt_wasmsimd` as const;
  const to = (x: Float32Array, opts: NarrowOptions = {}): Uint16Array => {
    const where = `kernels.f32To${name === 'f16' ? 'F16' : 'Bf16'}`;
    checkInput(where, x, Float32Array);
    checkOptions(where, opts, ['rounding']);
    const r = rounding(where, opts.rounding, x.length);
    return narrowWith(where, x, 2, (k, px, py) => k[narrowK](x.length, px, py, ...r)) as Uint16Array;
  };
  const from = (x: Uint16Array): Float32Array => {
    const where = `kernels.${name}ToF32`;
    checkInput(where, x, Uint16Array);
    return widenWith(where, x, (k, px, py) => k[widenK](x.length, px, py));
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
  checkOptions(where, opts, ['format', 'saturate', 'rounding']);
  const sat = opts.saturate ?? false;
  check(typeof sat === 'boolean', 'BAD_OPTION', () => `${where}: expected saturate to be a boolean, got ${describe(sat)}`);
  const r = rounding(where, opts.rounding, x.length);
  return narrowWith(where, x, 1, (k, px, py) => k.f32_fp8_vcvt_wasmsimd(format, sat ? 1 : 0, x.length, px, py, ...r)) as Uint8Array;
}

/** OCP fp8 bits → f32, exact. @example kernels.fp8ToF32(bytes, { format: 'e5m2' }) */
export function fp8ToF32(x: Uint8Array, opts: { format: Fp8Format }): Float32Array {
  const where = 'kernels.fp8ToF32';
  checkInput(where, x, Uint8Array);
  const format = fp8Code(where, opts);
  checkOptions(where, opts, ['format']);
  return widenWith(where, x, (k, px, py) => k.fp8_f32_vcvt_wasmsimd(format, x.length, px, py));
}
