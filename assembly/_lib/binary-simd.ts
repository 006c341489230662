// 128-bit SIMD rows for the elementwise binary kernels, generic over f32, f64 and i32: rows that
// are contiguous (a, b, out stride 1) or broadcast one operand (stride 0) run a vector at a time;
// every other row, the ops without a lane form (pow; i32 div; f64 comparisons, whose 64-bit masks
// would need narrowing) and the tails use the scalar loop of binary.ts.
// Lane ops are the scalar ops lane-wise (IEEE arithmetic, NaN-propagating float max/min, wrapping
// i32 arithmetic, comparisons as 0/1), so results are bit-identical to the scalar path.
import { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE } from './ops';
import { binaryRow, binaryRowAny, outShift } from './binary';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from './nd';

@inline function vop<T>(op: i32, a: v128, b: v128): v128 {
  const one = i32x4.splat(1);
  switch (op) {
    case B_ADD: return v128.add<T>(a, b);
    case B_SUB: return v128.sub<T>(a, b);
    case B_MUL: return v128.mul<T>(a, b);
    case B_DIV: if (isFloat<T>()) return v128.div<T>(a, b); else return a; // i32: never reached (hasLanes)
    case B_MAXIMUM: return v128.max<T>(a, b);
    case B_MINIMUM: return v128.min<T>(a, b);
    case B_EQ: return v128.and(v128.eq<T>(a, b), one);
    case B_NE: return v128.and(v128.ne<T>(a, b), one);
    case B_LT: return v128.and(v128.lt<T>(a, b), one);
    case B_LE: return v128.and(v128.le<T>(a, b), one);
    case B_GT: return v128.and(v128.gt<T>(a, b), one);
    default: return v128.and(v128.ge<T>(a, b), one); // B_GE
  }
}

/** Whether `op` has a lane form for T. */
@inline function hasLanes<T>(op: i32): bool {
  if (op == B_POW) return false;
  if (isInteger<T>() && op == B_DIV) return false;
  if (sizeof<T>() == 8 && op >= B_EQ) return false;
  return true;
}

/** One row with a, b each contiguous (stride 1) or splatted (stride 0), out contiguous. */
@inline function simdRow<T>(op: i32, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  const L = 16 / sizeof<T>();
  const va = v128.splat<T>(load<T>(a));
  const vb = v128.splat<T>(load<T>(b));
  let i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    const off = <usize>i << alignof<T>();
    const a0 = sa != 0 ? v128.load(a + off) : va;
    const a1 = sa != 0 ? v128.load(a + off, 16) : va;
    const b0 = sb != 0 ? v128.load(b + off) : vb;
    const b1 = sb != 0 ? v128.load(b + off, 16) : vb;
    v128.store(o + off, vop<T>(op, a0, b0));
    v128.store(o + off, vop<T>(op, a1, b1), 16);
  }
  for (; i + L <= n; i += L) {
    const off = <usize>i << alignof<T>();
    v128.store(o + off, vop<T>(op, sa != 0 ? v128.load(a + off) : va, sb != 0 ? v128.load(b + off) : vb));
  }
  const off = <usize>i << alignof<T>();
  binaryRow<T>(op, a + (sa != 0 ? off : 0), <usize>sa << alignof<T>(), b + (sb != 0 ? off : 0),
    <usize>sb << alignof<T>(), o + off, sizeof<T>(), n - i);
}

/** One loop per op for a given broadcast pattern (sa, sb are constants at every call site). */
@inline function perOp<T>(op: i32, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  switch (op) {
    case B_ADD: simdRow<T>(B_ADD, a, sa, b, sb, o, n); break;
    case B_SUB: simdRow<T>(B_SUB, a, sa, b, sb, o, n); break;
    case B_MUL: simdRow<T>(B_MUL, a, sa, b, sb, o, n); break;
    case B_DIV: if (isFloat<T>()) simdRow<T>(B_DIV, a, sa, b, sb, o, n); break;
    case B_MAXIMUM: simdRow<T>(B_MAXIMUM, a, sa, b, sb, o, n); break;
    case B_MINIMUM: simdRow<T>(B_MINIMUM, a, sa, b, sb, o, n); break;
    default: if (sizeof<T>() == 4) perCompare<T>(op, a, sa, b, sb, o, n);
  }
}

@inline function perCompare<T>(op: i32, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  switch (op) {
    case B_EQ: simdRow<T>(B_EQ, a, sa, b, sb, o, n); break;
    case B_NE: simdRow<T>(B_NE, a, sa, b, sb, o, n); break;
    case B_LT: simdRow<T>(B_LT, a, sa, b, sb, o, n); break;
    case B_LE: simdRow<T>(B_LE, a, sa, b, sb, o, n); break;
    case B_GT: simdRow<T>(B_GT, a, sa, b, sb, o, n); break;
    default: simdRow<T>(B_GE, a, sa, b, sb, o, n);
  }
}

function simdRowAny<T>(op: i32, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  if (sa == 1 && sb == 1) perOp<T>(op, a, 1, b, 1, o, n);
  else if (sb == 0) perOp<T>(op, a, 1, b, 0, o, n);
  else perOp<T>(op, a, 0, b, 1, o, n);
}

/** N-d driver (META operands a, b, out): SIMD rows where the layout and op allow, scalar otherwise. */
@inline export function binarySimdND<T>(op: i32, meta: usize, a: usize, b: usize, out: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sa = ndInnerStride(meta, 0);
  const sb = ndInnerStride(meta, 1);
  const so = ndInnerStride(meta, 2);
  const pattern = (sa == 1 && sb == 1) || (sa == 1 && sb == 0) || (sa == 0 && sb == 1);
  const fast = hasLanes<T>(op) && so == 1 && pattern;
  const sh = outShift<T>(op);
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const pa = a + (<usize>ndOffset(meta, 0) << alignof<T>());
    const pb = b + (<usize>ndOffset(meta, 1) << alignof<T>());
    const po = out + (<usize>ndOffset(meta, 2) << sh);
    if (fast) simdRowAny<T>(op, pa, sa, pb, sb, po, n);
    else binaryRowAny<T>(op, pa, <usize>sa << alignof<T>(), pb, <usize>sb << alignof<T>(), po, <usize>so << sh, n);
    ndNext(meta);
  }
}
