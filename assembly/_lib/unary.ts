// Elementwise unary math on f32 / f64 / i32, one row at a time, plus the N-d driver.
// f32 transcendental ops are evaluated in f64 (musl-derived std Math) and rounded once (~1 ulp),
// except exp, sigmoid, silu, tanh, log, log1p and gelu, which run in f32 (expf32, tanhf32, logf32,
// geluf32: ≲ 2, 4, 4, 4, 2, 4, 3 ulp) exactly as the SIMD path (f32-vunary/wasmsimd.ts) does, so
// both agree bitwise. Conventions (PyTorch): relu passes NaN and -0 through, sign(±0) = sign(NaN)
// = 0, round is half-to-even, gelu is the exact erf form (f64: 0.5·x·erfc(-x/√2), no cancellation).
import { U_NEG, U_ABS, U_EXP, U_LOG, U_LOG1P, U_EXPM1, U_SQRT, U_RSQRT, U_SIN, U_COS, U_TANH,
  U_SIGMOID, U_RELU, U_GELU, U_SILU, U_SIGN, U_SQUARE, U_RECIPROCAL, U_FLOOR, U_CEIL, U_ROUND, U_ERF } from './ops';
import { expf32 } from './expf';
import { tanhf32 } from './tanhf';
import { logf32, log1pf32 } from './logf';
import { erf64, gelu64 } from './erf';
import { geluF32 } from './geluf';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from './nd';

@inline function sigmoid64(x: f64): f64 {
  if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1.0 + e);
}

export function unaryF64(op: i32, x: f64): f64 {
  switch (op) {
    case U_NEG: return -x;
    case U_ABS: return Math.abs(x);
    case U_EXP: return Math.exp(x);
    case U_LOG: return Math.log(x);
    case U_LOG1P: return Math.log1p(x);
    case U_EXPM1: return Math.expm1(x);
    case U_SQRT: return Math.sqrt(x);
    case U_RSQRT: return 1.0 / Math.sqrt(x);
    case U_SIN: return Math.sin(x);
    case U_COS: return Math.cos(x);
    case U_TANH: return Math.tanh(x);
    case U_SIGMOID: return sigmoid64(x);
    case U_RELU: return x < 0 ? 0.0 : x; // NaN and -0 pass through (torch)
    case U_GELU: return gelu64(x);
    case U_SILU: return x * sigmoid64(x);
    case U_SIGN: return <f64>(x > 0) - <f64>(x < 0); // ±0 and NaN → 0 (torch)
    case U_SQUARE: return x * x;
    case U_RECIPROCAL: return 1.0 / x;
    case U_FLOOR: return Math.floor(x);
    case U_CEIL: return Math.ceil(x);
    case U_ERF: return erf64(x); // f32: rounded once from f64
    default: return nearest<f64>(x); // U_ROUND
  }
}

/** sigmoid via e = exp(-|x|) ∈ (0, 1]: 1/(1+e) for x ≥ 0, e/(1+e) below; never overflows. */
@inline export function sigmoidF32(x: f32): f32 {
  const e = expf32(-abs<f32>(x));
  const d: f32 = 1.0 + e;
  return x < 0 ? e / d : <f32>1.0 / d;
}

/**
 * silu = x·sigmoid(x), as x/(1+e) for x ≥ 0 and (x·e)/(1+e) below. For x ≪ 0 the result is an f32
 * subnormal while e alone would be an even smaller one, so the x < 0 branch works with E = e·2^64
 * (exact) and scales back by 2^-64 at the end: one rounding into the subnormal range, not two.
 */
@inline export function siluF32(x: f32): f32 {
  const big = expf32(-abs<f32>(x), 64);
  const e = big * <f32>5.421010862427522e-20; // = expf32(-|x|) bit for bit: one rounding either way
  const d: f32 = 1.0 + e;
  // below -140 the result is ±0 (e = 0; NaN for -Inf, as torch's -inf·sigmoid(-inf)), and `big` is
  // only exact down to expf32's shifted clamp (-148.3), so take x·e there
  const below: f32 = x < -140 ? x * e : ((x * big) / d) * <f32>5.421010862427522e-20;
  return x < 0 ? below : x / d;
}

@inline function unaryF32(op: i32, x: f32): f32 {
  switch (op) {
    case U_SIGMOID: return sigmoidF32(x);
    case U_SILU: return siluF32(x);
    case U_GELU: return geluF32(x);
    case U_TANH: return tanhf32(x);
    case U_LOG: return logf32(x);
    case U_LOG1P: return log1pf32(x);
    case U_NEG: return -x;
    case U_ABS: return abs<f32>(x);
    case U_EXP: return expf32(x);
    case U_SQRT: return sqrt<f32>(x);
    case U_RELU: return x < 0 ? <f32>0.0 : x;
    case U_SQUARE: return x * x;
    case U_FLOOR: return floor<f32>(x);
    case U_CEIL: return ceil<f32>(x);
    case U_ROUND: return nearest<f32>(x);
    default: return <f32>unaryF64(op, <f64>x);
  }
}

/** i32 ops (wrapping two's complement); the host only sends neg, abs, sign, square, relu. */
@inline function unaryI32(op: i32, x: i32): i32 {
  switch (op) {
    case U_NEG: return -x;
    case U_ABS: return x < 0 ? -x : x;
    case U_SIGN: return <i32>(x > 0) - <i32>(x < 0);
    case U_SQUARE: return x * x;
    default: return x > 0 ? x : 0; // U_RELU
  }
}

@inline function unaryVal<T>(op: i32, v: T): T {
  if (isInteger<T>()) return <T>unaryI32(op, <i32>v);
  else if (sizeof<T>() == 4) return <T>unaryF32(op, <f32>v);
  else return <T>unaryF64(op, <f64>v);
}

/** One strided row: o[i·so] = op(x[i·sx]); strides in BYTES. */
@inline export function unaryRow<T>(op: i32, x: usize, sx: usize, o: usize, so: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    store<T>(o, unaryVal<T>(op, load<T>(x)));
    x += sx;
    o += so;
  }
}

/** Dispatches a row to the loop specialised for `op` (each call site inlines with a constant op). */
export function unaryRowAny<T>(op: i32, x: usize, sx: usize, o: usize, so: usize, n: i32): void {
  switch (op) {
    case U_NEG: unaryRow<T>(U_NEG, x, sx, o, so, n); break;
    case U_ABS: unaryRow<T>(U_ABS, x, sx, o, so, n); break;
    case U_EXP: unaryRow<T>(U_EXP, x, sx, o, so, n); break;
    case U_LOG: unaryRow<T>(U_LOG, x, sx, o, so, n); break;
    case U_LOG1P: unaryRow<T>(U_LOG1P, x, sx, o, so, n); break;
    case U_EXPM1: unaryRow<T>(U_EXPM1, x, sx, o, so, n); break;
    case U_SQRT: unaryRow<T>(U_SQRT, x, sx, o, so, n); break;
    case U_RSQRT: unaryRow<T>(U_RSQRT, x, sx, o, so, n); break;
    case U_SIN: unaryRow<T>(U_SIN, x, sx, o, so, n); break;
    case U_COS: unaryRow<T>(U_COS, x, sx, o, so, n); break;
    case U_TANH: unaryRow<T>(U_TANH, x, sx, o, so, n); break;
    case U_SIGMOID: unaryRow<T>(U_SIGMOID, x, sx, o, so, n); break;
    case U_RELU: unaryRow<T>(U_RELU, x, sx, o, so, n); break;
    case U_GELU: unaryRow<T>(U_GELU, x, sx, o, so, n); break;
    case U_SILU: unaryRow<T>(U_SILU, x, sx, o, so, n); break;
    case U_SIGN: unaryRow<T>(U_SIGN, x, sx, o, so, n); break;
    case U_SQUARE: unaryRow<T>(U_SQUARE, x, sx, o, so, n); break;
    case U_RECIPROCAL: unaryRow<T>(U_RECIPROCAL, x, sx, o, so, n); break;
    case U_FLOOR: unaryRow<T>(U_FLOOR, x, sx, o, so, n); break;
    case U_CEIL: unaryRow<T>(U_CEIL, x, sx, o, so, n); break;
    case U_ERF: unaryRow<T>(U_ERF, x, sx, o, so, n); break;
    default: unaryRow<T>(U_ROUND, x, sx, o, so, n);
  }
}

/** Scalar N-d driver: META operands are 0 = x, 1 = out. */
@inline export function unaryND<T>(op: i32, meta: usize, x: usize, out: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sx = <usize>ndInnerStride(meta, 0) << alignof<T>();
  const so = <usize>ndInnerStride(meta, 1) << alignof<T>();
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const px = x + (<usize>ndOffset(meta, 0) << alignof<T>());
    const po = out + (<usize>ndOffset(meta, 1) << alignof<T>());
    unaryRowAny<T>(op, px, sx, po, so, n);
    ndNext(meta);
  }
}
