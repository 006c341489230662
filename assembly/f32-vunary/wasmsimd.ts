// f32-vunary, 128-bit SIMD: contiguous rows of exp, sigmoid, silu, tanh, log, log1p, gelu, relu, neg,
// abs, sqrt, square, reciprocal, rsqrt (in f64x2, as the scalar code), sign, floor, ceil, round run
// 4 lanes at a time; the rest (sin, cos, expm1), strided rows and tails use the scalar loop of
// _lib/unary.ts. Each lane computes the same IEEE operations as the scalar code: bit-identical.
import { U_NEG, U_ABS, U_EXP, U_SQRT, U_RELU, U_SIGMOID, U_SILU, U_SQUARE, U_RECIPROCAL, U_RSQRT,
  U_SIGN, U_FLOOR, U_CEIL, U_ROUND, U_TANH, U_LOG, U_LOG1P, U_GELU } from '../_lib/ops';
import { tanhf32x4 } from '../_lib/tanhf';
import { logf32x4, log1pf32x4 } from '../_lib/logf';
import { geluf32x4 } from '../_lib/geluf';
import { unaryRow, unaryRowAny } from '../_lib/unary';
import { expf32x4 } from '../_lib/expf';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from '../_lib/nd';

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

/** 1/sqrt in f64 lanes then rounded, exactly as the scalar <f32>(1/Math.sqrt(<f64>x)). */
@inline function rsqrt(x: v128): v128 {
  const one = f64x2.splat(1.0);
  const lo = f64x2.div(one, f64x2.sqrt(f64x2.promote_low_f32x4(x)));
  const hi = f64x2.div(one, f64x2.sqrt(f64x2.promote_low_f32x4(v128.shuffle<i32>(x, x, 2, 3, 0, 1))));
  return v128.shuffle<i32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

@inline function vop(op: i32, x: v128): v128 {
  switch (op) {
    case U_NEG: return f32x4.neg(x);
    case U_ABS: return f32x4.abs(x);
    case U_EXP: return expf32x4(x);
    case U_SQRT: return f32x4.sqrt(x);
    case U_SIGMOID: return sigmoidLike(x, false);
    case U_SILU: return sigmoidLike(x, true);
    case U_TANH: return tanhf32x4(x);
    case U_LOG: return logf32x4(x);
    case U_LOG1P: return log1pf32x4(x);
    case U_GELU: return geluf32x4(x);
    case U_SQUARE: return f32x4.mul(x, x);
    case U_RECIPROCAL: return f32x4.div(f32x4.splat(1.0), x);
    case U_RSQRT: return rsqrt(x);
    case U_SIGN: {
      const one = f32x4.splat(1.0), zero = f32x4.splat(0);
      return f32x4.sub(v128.and(f32x4.gt(x, zero), one), v128.and(f32x4.lt(x, zero), one));
    }
    case U_FLOOR: return f32x4.floor(x);
    case U_CEIL: return f32x4.ceil(x);
    case U_ROUND: return f32x4.nearest(x);
    default: return v128.andnot(x, f32x4.lt(x, f32x4.splat(0))); // U_RELU: x < 0 → +0; NaN, -0 kept
  }
}

@inline function simdRow(op: i32, x: usize, o: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const off = <usize>i << 2;
    const v0 = v128.load(x + off);
    const v1 = v128.load(x + off, 16);
    v128.store(o + off, vop(op, v0));
    v128.store(o + off, vop(op, v1), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(o + off, vop(op, v128.load(x + off)));
  }
  const off = <usize>i << 2;
  unaryRow<f32>(op, x + off, 4, o + off, 4, n - i);
}

@inline function hasSimd(op: i32): bool {
  return op == U_NEG || op == U_ABS || op == U_EXP || op == U_SQRT || op == U_RELU || op == U_SIGMOID ||
    op == U_SILU || op == U_SQUARE || op == U_RECIPROCAL || op == U_RSQRT || op == U_SIGN ||
    op == U_FLOOR || op == U_CEIL || op == U_ROUND || op == U_TANH || op == U_LOG || op == U_LOG1P || op == U_GELU;
}

/** Row dispatch: one specialised loop per op. */
function simdRowAny(op: i32, x: usize, o: usize, n: i32): void {
  switch (op) {
    case U_NEG: simdRow(U_NEG, x, o, n); break;
    case U_ABS: simdRow(U_ABS, x, o, n); break;
    case U_EXP: simdRow(U_EXP, x, o, n); break;
    case U_SQRT: simdRow(U_SQRT, x, o, n); break;
    case U_SIGMOID: simdRow(U_SIGMOID, x, o, n); break;
    case U_SILU: simdRow(U_SILU, x, o, n); break;
    case U_TANH: simdRow(U_TANH, x, o, n); break;
    case U_LOG: simdRow(U_LOG, x, o, n); break;
    case U_LOG1P: simdRow(U_LOG1P, x, o, n); break;
    case U_GELU: simdRow(U_GELU, x, o, n); break;
    case U_SQUARE: simdRow(U_SQUARE, x, o, n); break;
    case U_RECIPROCAL: simdRow(U_RECIPROCAL, x, o, n); break;
    case U_RSQRT: simdRow(U_RSQRT, x, o, n); break;
    case U_SIGN: simdRow(U_SIGN, x, o, n); break;
    case U_FLOOR: simdRow(U_FLOOR, x, o, n); break;
    case U_CEIL: simdRow(U_CEIL, x, o, n); break;
    case U_ROUND: simdRow(U_ROUND, x, o, n); break;
    default: simdRow(U_RELU, x, o, n);
  }
}

/**
 * Same contract as f32_vunary_scalar (N-d strided META operands x, out; elements; f32, 4-byte
 * aligned; in place allowed) and bit-identical to it; fast when x and out rows are contiguous.
 */
export function f32_vunary_wasmsimd(op: i32, meta: usize, x: usize, out: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sx = ndInnerStride(meta, 0);
  const so = ndInnerStride(meta, 1);
  const fast = sx == 1 && so == 1 && hasSimd(op);
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const px = x + (<usize>ndOffset(meta, 0) << 2);
    const po = out + (<usize>ndOffset(meta, 1) << 2);
    if (fast) simdRowAny(op, px, po, n);
    else unaryRowAny<f32>(op, px, <usize>sx << 2, po, <usize>so << 2, n);
    ndNext(meta);
  }
}
