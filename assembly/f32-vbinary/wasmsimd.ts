// f32-vbinary, 128-bit SIMD: rows that are contiguous (a, b, out stride 1) or broadcast one scalar
// operand (stride 0) run 4 lanes at a time for every op but pow (comparisons write i32 0/1 masks);
// other rows (strided, pow) and the tails fall back to the scalar loop of _lib/binary.ts.
// SIMD max/min are the NaN-propagating wasm ops and comparisons are IEEE (NaN unordered), so
// results are bit-identical to the scalar path.
import { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE } from '../_lib/ops';
import { binaryRow, binaryRowAny, outShift } from '../_lib/binary';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from '../_lib/nd';

@inline function vop(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case B_ADD: return f32x4.add(a, b);
    case B_SUB: return f32x4.sub(a, b);
    case B_MUL: return f32x4.mul(a, b);
    case B_DIV: return f32x4.div(a, b);
    case B_MAX: return f32x4.max(a, b);
    case B_MIN: return f32x4.min(a, b);
    case B_EQ: return v128.and(f32x4.eq(a, b), i32x4.splat(1));
    case B_NE: return v128.and(f32x4.ne(a, b), i32x4.splat(1));
    case B_LT: return v128.and(f32x4.lt(a, b), i32x4.splat(1));
    case B_LE: return v128.and(f32x4.le(a, b), i32x4.splat(1));
    case B_GT: return v128.and(f32x4.gt(a, b), i32x4.splat(1));
    default: return v128.and(f32x4.ge(a, b), i32x4.splat(1)); // B_GE
  }
}

/** One row with a, b each contiguous (stride 1) or splatted (stride 0), out contiguous. */
@inline function simdRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  const va = v128.load32_splat(a);
  const vb = v128.load32_splat(b);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const off = <usize>i << 2;
    const a0 = sa != 0 ? v128.load(a + off) : va;
    const a1 = sa != 0 ? v128.load(a + off, 16) : va;
    const b0 = sb != 0 ? v128.load(b + off) : vb;
    const b1 = sb != 0 ? v128.load(b + off, 16) : vb;
    v128.store(o + off, vop(op, a0, b0));
    v128.store(o + off, vop(op, a1, b1), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(o + off, vop(op, sa != 0 ? v128.load(a + off) : va, sb != 0 ? v128.load(b + off) : vb));
  }
  const off = <usize>i << 2;
  binaryRow<f32>(op, a + (sa != 0 ? off : 0), <usize>sa << 2, b + (sb != 0 ? off : 0), <usize>sb << 2, o + off, 4, n - i);
}

/** One loop per op for a given broadcast pattern (sa, sb are constants at every call site). */
@inline function perOp(op: i32, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  switch (op) {
    case B_ADD: simdRow(B_ADD, a, sa, b, sb, o, n); break;
    case B_SUB: simdRow(B_SUB, a, sa, b, sb, o, n); break;
    case B_MUL: simdRow(B_MUL, a, sa, b, sb, o, n); break;
    case B_DIV: simdRow(B_DIV, a, sa, b, sb, o, n); break;
    case B_MAX: simdRow(B_MAX, a, sa, b, sb, o, n); break;
    case B_MIN: simdRow(B_MIN, a, sa, b, sb, o, n); break;
    case B_EQ: simdRow(B_EQ, a, sa, b, sb, o, n); break;
    case B_NE: simdRow(B_NE, a, sa, b, sb, o, n); break;
    case B_LT: simdRow(B_LT, a, sa, b, sb, o, n); break;
    case B_LE: simdRow(B_LE, a, sa, b, sb, o, n); break;
    case B_GT: simdRow(B_GT, a, sa, b, sb, o, n); break;
    default: simdRow(B_GE, a, sa, b, sb, o, n);
  }
}

/** Specialises simdRow per op and per broadcast pattern (the loops are branch-free inside). */
function simdRowAny(op: i32, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  if (sa == 1 && sb == 1) perOp(op, a, 1, b, 1, o, n);
  else if (sb == 0) perOp(op, a, 1, b, 0, o, n);
  else perOp(op, a, 0, b, 1, o, n);
}

/**
 * Same contract as f32_vbinary_scalar (N-d strided META operands a, b, out; elements; f32, 4-byte
 * aligned; comparisons write i32). Bit-identical to it; faster on contiguous / scalar-broadcast /
 * row-broadcast rows. In place (out == a or out == b, same layout) is allowed.
 */
export function f32_vbinary_wasmsimd(op: i32, meta: usize, a: usize, b: usize, out: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sa = ndInnerStride(meta, 0);
  const sb = ndInnerStride(meta, 1);
  const so = ndInnerStride(meta, 2);
  const pattern = (sa == 1 && sb == 1) || (sa == 1 && sb == 0) || (sa == 0 && sb == 1);
  const fast = op != B_POW && so == 1 && pattern;
  const sh = outShift<f32>(op);
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const pa = a + (<usize>ndOffset(meta, 0) << 2);
    const pb = b + (<usize>ndOffset(meta, 1) << 2);
    const po = out + (<usize>ndOffset(meta, 2) << sh);
    if (fast) simdRowAny(op, pa, sa, pb, sb, po, n);
    else binaryRowAny<f32>(op, pa, <usize>sa << 2, pb, <usize>sb << 2, po, <usize>so << sh, n);
    ndNext(meta);
  }
}
