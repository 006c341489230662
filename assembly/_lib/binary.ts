// Elementwise binary ops on f32 / f64 / i32, one strided row at a time, plus the N-d driver.
// Comparisons write i32 0/1 (NaN compares unequal to everything). maximum/minimum propagate NaN
// (wasm f32/f64.max semantics, as torch.maximum). f32 pow is evaluated in f64 and rounded once, with C99's
// special cases (1^NaN = NaN^0 = (−1)^±∞ = 1, as torch) where JS's Math.pow gives NaN.
// i32 arithmetic wraps; i32 pow is exact integer power by squaring (wrapping); i32 div truncates
// and never traps (x/0 → 0, MIN/-1 → MIN) although the op layer never sends it.
import { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE } from './ops';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from './nd';

function ipow(a: i32, b: i32): i32 {
  if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) != 0 ? -1 : 1) : 0;
  let r = 1;
  while (b != 0) {
    if ((b & 1) != 0) r *= a;
    a *= a;
    b >>>= 1;
  }
  return r;
}

/** C99 / torch pow: 1 when b = 0 or a = 1 (NaN in the other operand too), and (−1)^±∞ = 1; else Math.pow. */
function fpow(a: f64, b: f64): f64 {
  if (b == 0 || a == 1 || (a == -1 && Math.abs(b) == Infinity)) return 1;
  return Math.pow(a, b);
}

@inline function idiv(a: i32, b: i32): i32 {
  if (b == 0) return 0;
  if (b == -1) return -a;
  return a / b;
}

@inline function arith<T>(op: i32, a: T, b: T): T {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: if (isInteger<T>()) return <T>idiv(<i32>a, <i32>b); else return a / b;
    case B_POW: if (isInteger<T>()) return <T>ipow(<i32>a, <i32>b); else return <T>fpow(<f64>a, <f64>b);
    case B_MAXIMUM: if (isInteger<T>()) return a > b ? a : b; else return max<T>(a, b);
    default: if (isInteger<T>()) return a < b ? a : b; else return min<T>(a, b); // B_MINIMUM
  }
}

@inline function compare<T>(op: i32, a: T, b: T): i32 {
  switch (op) {
    case B_EQ: return <i32>(a == b);
    case B_NE: return <i32>(a != b);
    case B_LT: return <i32>(a < b);
    case B_LE: return <i32>(a <= b);
    case B_GT: return <i32>(a > b);
    default: return <i32>(a >= b); // B_GE
  }
}

/** One strided row; strides in BYTES; comparisons store i32. */
@inline export function binaryRow<T>(op: i32, a: usize, sa: usize, b: usize, sb: usize, o: usize, so: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const x = load<T>(a);
    const y = load<T>(b);
    if (op >= B_EQ) store<i32>(o, compare<T>(op, x, y));
    else store<T>(o, arith<T>(op, x, y));
    a += sa;
    b += sb;
    o += so;
  }
}

export function binaryRowAny<T>(op: i32, a: usize, sa: usize, b: usize, sb: usize, o: usize, so: usize, n: i32): void {
  switch (op) {
    case B_ADD: binaryRow<T>(B_ADD, a, sa, b, sb, o, so, n); break;
    case B_SUB: binaryRow<T>(B_SUB, a, sa, b, sb, o, so, n); break;
    case B_MUL: binaryRow<T>(B_MUL, a, sa, b, sb, o, so, n); break;
    case B_DIV: binaryRow<T>(B_DIV, a, sa, b, sb, o, so, n); break;
    case B_POW: binaryRow<T>(B_POW, a, sa, b, sb, o, so, n); break;
    case B_MAXIMUM: binaryRow<T>(B_MAXIMUM, a, sa, b, sb, o, so, n); break;
    case B_MINIMUM: binaryRow<T>(B_MINIMUM, a, sa, b, sb, o, so, n); break;
    case B_EQ: binaryRow<T>(B_EQ, a, sa, b, sb, o, so, n); break;
    case B_NE: binaryRow<T>(B_NE, a, sa, b, sb, o, so, n); break;
    case B_LT: binaryRow<T>(B_LT, a, sa, b, sb, o, so, n); break;
    case B_LE: binaryRow<T>(B_LE, a, sa, b, sb, o, so, n); break;
    case B_GT: binaryRow<T>(B_GT, a, sa, b, sb, o, so, n); break;
    default: binaryRow<T>(B_GE, a, sa, b, sb, o, so, n);
  }
}

/** log2 of the output element size: comparisons write i32. */
@inline export function outShift<T>(op: i32): usize { return op >= B_EQ ? 2 : alignof<T>(); }

/** Scalar N-d driver: META operands 0 = a, 1 = b, 2 = out. */
@inline export function binaryND<T>(op: i32, meta: usize, a: usize, b: usize, out: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sh = outShift<T>(op);
  const sa = <usize>ndInnerStride(meta, 0) << alignof<T>();
  const sb = <usize>ndInnerStride(meta, 1) << alignof<T>();
  const so = <usize>ndInnerStride(meta, 2) << sh;
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const pa = a + (<usize>ndOffset(meta, 0) << alignof<T>());
    const pb = b + (<usize>ndOffset(meta, 1) << alignof<T>());
    const po = out + (<usize>ndOffset(meta, 2) << sh);
    binaryRowAny<T>(op, pa, sa, pb, sb, po, so, n);
    ndNext(meta);
  }
}
