// 128-bit SIMD rows for the elementwise unary kernels, generic over f32, f64 and i32. Contiguous
// rows (x and out stride 1) of the ops with a lane form run a vector at a time; other ops (sin, cos,
// expm1; the f64 transcendentals, which stay on std Math), strided rows and tails use the scalar
// loop of unary.ts. Each lane computes the same IEEE operations as the scalar code, so results are
// bit-identical: exact ops are exact in both; the f32 transcendentals are the f32 algorithms of
// expf/tanhf/logf/geluf, which the scalar code (unary.ts) uses too.
import { U_NEG, U_ABS, U_EXP, U_SQRT, U_RELU, U_SIGMOID, U_SILU, U_SQUARE, U_RECIPROCAL, U_RSQRT,
  U_SIGN, U_FLOOR, U_CEIL, U_ROUND, U_TANH, U_LOG, U_LOG1P, U_GELU } from './ops';
import { expf32x4 } from './expf';
import { tanhf32x4 } from './tanhf';
import { logf32x4, log1pf32x4 } from './logf';
import { geluf32x4 } from './geluf';
import { unaryRow, unaryRowAny } from './unary';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from './nd';

/** Mirrors sigmoidF32 / siluF32: e = exp(-|x|), d = 1 + e, then a per-lane select on x < 0. */
@inline function sigmoidLike(x: v128, silu: bool): v128 {
  const m = f32x4.neg(f32x4.abs(x));
  const twoM64 = f32x4.splat(5.421010862427522e-20);
  const big = silu ? expf32x4(m, 64) : m; // silu: e·2^64, see siluF32
  const e = silu ? f32x4.mul(big, twoM64) : expf32x4(m);
  const d = f32x4.add(f32x4.splat(1.0), e);
  const neg = f32x4.lt(x, f32x4.splat(0));
  const below = silu
    ? v128.bitselect(f32x4.mul(x, e), f32x4.mul(f32x4.div(f32x4.mul(x, big), d), twoM64), f32x4.lt(x, f32x4.splat(-140)))
    : f32x4.div(e, d);
  const above = silu ? f32x4.div(x, d) : f32x4.div(f32x4.splat(1.0), d);
  return v128.bitselect(below, above, neg);
}

/** f32 rsqrt: 1/sqrt in f64 lanes then rounded, exactly as the scalar <f32>(1/Math.sqrt(<f64>x)). */
@inline function rsqrtF32(x: v128): v128 {
  const one = f64x2.splat(1.0);
  const lo = f64x2.div(one, f64x2.sqrt(f64x2.promote_low_f32x4(x)));
  const hi = f64x2.div(one, f64x2.sqrt(f64x2.promote_low_f32x4(v128.shuffle<i32>(x, x, 2, 3, 0, 1))));
  return v128.shuffle<i32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** The lane form of `op` on T (only called when hasLanes<T>(op)). */
@inline function vop<T>(op: i32, x: v128): v128 {
  const zero = v128.splat<T>(<T>0);
  const one = v128.splat<T>(<T>1);
  switch (op) {
    case U_NEG: return v128.neg<T>(x);
    case U_ABS: return v128.abs<T>(x);
    case U_SQUARE: return v128.mul<T>(x, x);
    case U_SIGN: return v128.sub<T>(v128.and(v128.gt<T>(x, zero), one), v128.and(v128.lt<T>(x, zero), one));
    case U_RELU: // x < 0 → 0; NaN and -0 pass through (floats); max(x, 0) for i32, as the scalar code
      if (isInteger<T>()) return v128.max<T>(x, zero); else return v128.andnot(x, v128.lt<T>(x, zero));
    default: if (isFloat<T>()) return vopFloat<T>(op, x); else return x;
  }
}

@inline function vopFloat<T>(op: i32, x: v128): v128 {
  switch (op) {
    case U_SQRT: return v128.sqrt<T>(x);
    case U_RECIPROCAL: return v128.div<T>(v128.splat<T>(<T>1), x);
    case U_FLOOR: return v128.floor<T>(x);
    case U_CEIL: return v128.ceil<T>(x);
    case U_ROUND: return v128.nearest<T>(x);
    case U_RSQRT: if (sizeof<T>() == 4) return rsqrtF32(x); else return f64x2.div(f64x2.splat(1.0), f64x2.sqrt(x));
    default: if (sizeof<T>() == 4) return vopF32(op, x); else return x;
  }
}

@inline function vopF32(op: i32, x: v128): v128 {
  switch (op) {
    case U_EXP: return expf32x4(x);
    case U_SIGMOID: return sigmoidLike(x, false);
    case U_SILU: return sigmoidLike(x, true);
    case U_TANH: return tanhf32x4(x);
    case U_LOG: return logf32x4(x);
    case U_LOG1P: return log1pf32x4(x);
    default: return geluf32x4(x); // U_GELU
  }
}

/** Whether `op` has a lane form on T. */
@inline function hasLanes<T>(op: i32): bool {
  const any = op == U_NEG || op == U_ABS || op == U_SQUARE || op == U_SIGN || op == U_RELU;
  if (isInteger<T>()) return any;
  const exact = op == U_SQRT || op == U_RECIPROCAL || op == U_FLOOR || op == U_CEIL || op == U_ROUND || op == U_RSQRT;
  if (sizeof<T>() == 8) return any || exact;
  return any || exact || op == U_EXP || op == U_SIGMOID || op == U_SILU || op == U_TANH || op == U_LOG ||
    op == U_LOG1P || op == U_GELU;
}

@inline function simdRow<T>(op: i32, x: usize, o: usize, n: i32): void {
  const L = 16 / sizeof<T>();
  let i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    const off = <usize>i << alignof<T>();
    const v0 = v128.load(x + off);
    const v1 = v128.load(x + off, 16);
    v128.store(o + off, vop<T>(op, v0));
    v128.store(o + off, vop<T>(op, v1), 16);
  }
  for (; i + L <= n; i += L) {
    const off = <usize>i << alignof<T>();
    v128.store(o + off, vop<T>(op, v128.load(x + off)));
  }
  const off = <usize>i << alignof<T>();
  unaryRow<T>(op, x + off, sizeof<T>(), o + off, sizeof<T>(), n - i);
}

/** One specialised loop per op (ops without a lane form on T compile to nothing: never reached). */
function simdRowAny<T>(op: i32, x: usize, o: usize, n: i32): void {
  switch (op) {
    case U_NEG: simdRow<T>(U_NEG, x, o, n); break;
    case U_ABS: simdRow<T>(U_ABS, x, o, n); break;
    case U_SQUARE: simdRow<T>(U_SQUARE, x, o, n); break;
    case U_SIGN: simdRow<T>(U_SIGN, x, o, n); break;
    case U_RELU: simdRow<T>(U_RELU, x, o, n); break;
    default: if (isFloat<T>()) simdRowFloat<T>(op, x, o, n);
  }
}

@inline function simdRowFloat<T>(op: i32, x: usize, o: usize, n: i32): void {
  switch (op) {
    case U_SQRT: simdRow<T>(U_SQRT, x, o, n); break;
    case U_RECIPROCAL: simdRow<T>(U_RECIPROCAL, x, o, n); break;
    case U_RSQRT: simdRow<T>(U_RSQRT, x, o, n); break;
    case U_FLOOR: simdRow<T>(U_FLOOR, x, o, n); break;
    case U_CEIL: simdRow<T>(U_CEIL, x, o, n); break;
    case U_ROUND: simdRow<T>(U_ROUND, x, o, n); break;
    default: if (sizeof<T>() == 4) simdRowF32(op, x, o, n);
  }
}

@inline function simdRowF32(op: i32, x: usize, o: usize, n: i32): void {
  switch (op) {
    case U_EXP: simdRow<f32>(U_EXP, x, o, n); break;
    case U_SIGMOID: simdRow<f32>(U_SIGMOID, x, o, n); break;
    case U_SILU: simdRow<f32>(U_SILU, x, o, n); break;
    case U_TANH: simdRow<f32>(U_TANH, x, o, n); break;
    case U_LOG: simdRow<f32>(U_LOG, x, o, n); break;
    case U_LOG1P: simdRow<f32>(U_LOG1P, x, o, n); break;
    case U_GELU: simdRow<f32>(U_GELU, x, o, n); break;
  }
}

/** N-d driver (META operands x, out): SIMD rows where the layout and op allow, scalar otherwise. */
@inline export function unarySimdND<T>(op: i32, meta: usize, x: usize, out: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sx = ndInnerStride(meta, 0);
  const so = ndInnerStride(meta, 1);
  const fast = sx == 1 && so == 1 && hasLanes<T>(op);
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const px = x + (<usize>ndOffset(meta, 0) << alignof<T>());
    const po = out + (<usize>ndOffset(meta, 1) << alignof<T>());
    if (fast) simdRowAny<T>(op, px, po, n);
    else unaryRowAny<T>(op, px, <usize>sx << alignof<T>(), po, <usize>so << alignof<T>(), n);
    ndNext(meta);
  }
}
