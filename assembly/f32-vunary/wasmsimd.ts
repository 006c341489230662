// f32-vunary, 128-bit SIMD: contiguous rows of exp (expf32x4), relu, neg, abs, sqrt run 4 lanes at
// a time; other ops, strided rows and tails use the scalar loop of _lib/unary.ts. The SIMD lane math
// is the same sequence of IEEE operations as the scalar code, so results are bit-identical.
import { U_NEG, U_ABS, U_EXP, U_SQRT, U_RELU } from '../_lib/ops';
import { unaryRow, unaryRowAny } from '../_lib/unary';
import { expf32x4 } from '../_lib/expf';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from '../_lib/nd';

@inline function vop(op: i32, x: v128): v128 {
  switch (op) {
    case U_NEG: return f32x4.neg(x);
    case U_ABS: return f32x4.abs(x);
    case U_EXP: return expf32x4(x);
    case U_SQRT: return f32x4.sqrt(x);
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
  return op == U_NEG || op == U_ABS || op == U_EXP || op == U_SQRT || op == U_RELU;
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
    if (!fast) unaryRowAny<f32>(op, px, <usize>sx << 2, po, <usize>so << 2, n);
    else if (op == U_EXP) simdRow(U_EXP, px, po, n);
    else if (op == U_RELU) simdRow(U_RELU, px, po, n);
    else if (op == U_NEG) simdRow(U_NEG, px, po, n);
    else if (op == U_ABS) simdRow(U_ABS, px, po, n);
    else simdRow(U_SQRT, px, po, n);
    ndNext(meta);
  }
}
