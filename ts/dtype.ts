// Dtypes, their storage sizes, promotion and the f16/bf16 bit conversions used on the JS side.
// f16 and bf16 are storage formats: compute happens in f32, rounding back is round-to-nearest-even
// (bit-exact with PyTorch's c10::Half / c10::BFloat16).

import { DescentError } from './errors.js';

export type DType = 'f64' | 'f32' | 'f16' | 'bf16' | 'i32';
export const DTYPES: readonly DType[] = ['f64', 'f32', 'f16', 'bf16', 'i32'];

export type StorageArray = Float64Array | Float32Array | Uint16Array | Int32Array;

export const BYTES: Record<DType, number> = { f64: 8, f32: 4, f16: 2, bf16: 2, i32: 4 };

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function checkDType(x: unknown, where: string): DType {
  if (!isDType(x)) throw new DescentError('BAD_DTYPE', `${where}: expected a dtype (${DTYPES.join(', ')}), got ${String(x)}`);
  return x;
}

export const isFloat = (d: DType): boolean => d !== 'i32';
export const isHalf = (d: DType): boolean => d === 'f16' || d === 'bf16';

/** The dtype kernels compute in: halves widen to f32. */
export const computeDType = (d: DType): 'f64' | 'f32' | 'i32' => (d === 'f16' || d === 'bf16' ? 'f32' : d);

/** Typed array holding a dtype's storage bits (halves as raw Uint16 bits). */
export function storageArray(d: DType, n: number): StorageArray {
  switch (d) {
    case 'f64': return new Float64Array(n);
    case 'f32': return new Float32Array(n);
    case 'i32': return new Int32Array(n);
    default: return new Uint16Array(n);
  }
}

/** Result dtype of a binary op (PyTorch's promotion lattice; f16 with bf16 widens to f32). */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'f64' || b === 'f64') return 'f64';
  if (a === 'f32' || b === 'f32') return 'f32';
  if (a === 'i32') return b;
  if (b === 'i32') return a;
  return 'f32'; // f16 with bf16
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** f32 → bf16 bits, round-to-nearest-even; NaN → 0x7FC0 (PyTorch's round_to_nearest_even). */
export function f32ToBf16(x: number): number {
  f32[0] = x;
  const u = u32[0];
  if (x !== x) return 0x7fc0;
  return ((u + (((u >>> 16) & 1) + 0x7fff)) >>> 16) & 0xffff;
}

export function bf16ToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/** f32 → f16 bits, round-to-nearest-even on the f32 value; overflow → ±Inf, NaN → 0x7E00 | sign. */
export function f32ToF16(x: number): number {
  f32[0] = x;
  const u = u32[0];
  const sign = (u >>> 16) & 0x8000;
  const absU = u & 0x7fffffff;
  if (absU > 0x7f800000) return sign | 0x7e00;
  if (absU >= 0x477ff000) return sign | 0x7c00; // ≥ 65520 rounds to Inf
  if (absU < 0x38800000) {
    // f16 subnormal or zero: scale so the f16 ulp (2^-24) becomes 1 and round half to even.
    f32[0] = Math.abs(x);
    const v = f32[0] * 16777216; // exact: power-of-two scaling
    const r = Math.round(v);
    const even = r - v === 0.5 && (r & 1) === 1 ? r - 1 : r;
    return sign | even;
  }
  const mant = absU & 0x7fffff;
  let e = ((absU >>> 23) - 127 + 15) << 10;
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1) === 1)) m += 1;
  return sign | (e + m);
}

/** f16 bits → f32 value, exact; NaN keeps its sign and payload (bit manipulation, as c10::Half). */
export function f16ToF32(h: number): number {
  const sign = (h & 0x8000) << 16;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return (sign ? -1 : 1) * m * 2 ** -24;
  u32[0] = (sign | (e === 31 ? 0x7f800000 | (m << 13) : ((e + 112) << 23) | (m << 13))) >>> 0;
  return f32[0];
}

/** Converts plain numbers to a dtype's storage representation (halves rounded, i32 truncated). */
export function encode(d: DType, values: ArrayLike<number>): StorageArray {
  const out = storageArray(d, values.length);
  if (d === 'f16') for (let i = 0; i < values.length; i++) out[i] = f32ToF16(values[i]);
  else if (d === 'bf16') for (let i = 0; i < values.length; i++) out[i] = f32ToBf16(values[i]);
  else out.set(values as ArrayLike<number>);
  return out;
}

/** Storage bits → numbers a user can read (halves widened to Float32Array). */
export function decode(d: DType, bits: StorageArray): Float64Array | Float32Array | Int32Array {
  if (d === 'f16' || d === 'bf16') {
    const out = new Float32Array(bits.length);
    const f = d === 'f16' ? f16ToF32 : bf16ToF32;
    for (let i = 0; i < bits.length; i++) out[i] = f(bits[i]);
    return out;
  }
  return bits as Float64Array | Float32Array | Int32Array;
}
