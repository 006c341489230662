// Row reductions (sum, prod, max, min, argmax, argmin) over one strided row, plus the N-d driver.
// META describes x as [outer dims..., reduced length] (operand 0); out is contiguous, one element
// per row, in x's dtype (i32 for arg ops). Order is fixed and sequential, independent of threads.
// f32 sum/prod accumulate in f64 and round once. max/min propagate NaN; argmax/argmin return the
// first occurrence, and the first NaN wins (PyTorch). Empty rows give the identity (0, 1, ∓Inf,
// i32 MIN/MAX) and index 0; the op layer rejects empty max/min/arg reductions before that.
import { R_SUM, R_PROD, R_MAX, R_MIN, R_ARGMAX } from './ops';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from './nd';

@inline function sumRow<T>(x: usize, sx: usize, n: i32): T {
  if (isInteger<T>()) {
    let acc: i32 = 0;
    for (let i = 0; i < n; i++) { acc += load<i32>(x); x += sx; }
    return <T>acc;
  } else {
    let acc: f64 = 0;
    for (let i = 0; i < n; i++) { acc += <f64>load<T>(x); x += sx; }
    return <T>acc;
  }
}

@inline function prodRow<T>(x: usize, sx: usize, n: i32): T {
  if (isInteger<T>()) {
    let acc: i32 = 1;
    for (let i = 0; i < n; i++) { acc *= load<i32>(x); x += sx; }
    return <T>acc;
  } else {
    let acc: f64 = 1;
    for (let i = 0; i < n; i++) { acc *= <f64>load<T>(x); x += sx; }
    return <T>acc;
  }
}

@inline function extremeRow<T>(isMax: bool, x: usize, sx: usize, n: i32): T {
  if (isInteger<T>()) {
    let acc: i32 = isMax ? i32.MIN_VALUE : i32.MAX_VALUE;
    for (let i = 0; i < n; i++) {
      const v = load<i32>(x);
      acc = isMax ? (v > acc ? v : acc) : (v < acc ? v : acc);
      x += sx;
    }
    return <T>acc;
  } else {
    let acc: T = <T>(isMax ? -Infinity : Infinity);
    for (let i = 0; i < n; i++) {
      const v = load<T>(x);
      acc = isMax ? max<T>(acc, v) : min<T>(acc, v);
      x += sx;
    }
    return acc;
  }
}

@inline function argRow<T>(isMax: bool, x: usize, sx: usize, n: i32): i32 {
  if (n == 0) return 0;
  let best = load<T>(x);
  let bi = 0;
  for (let i = 1; i < n; i++) {
    if (isFloat<T>()) { if (best != best) break; }
    x += sx;
    const v = load<T>(x);
    let better = isMax ? v > best : v < best;
    if (isFloat<T>()) better = better || v != v;
    if (better) { best = v; bi = i; }
  }
  return bi;
}

/** Reduces one strided row (stride in BYTES) into *o. */
@inline export function reduceRow<T>(op: i32, x: usize, sx: usize, n: i32, o: usize): void {
  switch (op) {
    case R_SUM: store<T>(o, sumRow<T>(x, sx, n)); break;
    case R_PROD: store<T>(o, prodRow<T>(x, sx, n)); break;
    case R_MAX: store<T>(o, extremeRow<T>(true, x, sx, n)); break;
    case R_MIN: store<T>(o, extremeRow<T>(false, x, sx, n)); break;
    case R_ARGMAX: store<i32>(o, argRow<T>(true, x, sx, n)); break;
    default: store<i32>(o, argRow<T>(false, x, sx, n)); // R_ARGMIN
  }
}

/** log2 of the output element size: arg ops write i32. */
@inline export function reduceOutShift<T>(op: i32): usize { return op >= R_ARGMAX ? 2 : alignof<T>(); }

/** Scalar N-d driver. */
@inline export function reduceND<T>(op: i32, meta: usize, x: usize, out: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sx = <usize>ndInnerStride(meta, 0) << alignof<T>();
  const sh = reduceOutShift<T>(op);
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    reduceRow<T>(op, x + (<usize>ndOffset(meta, 0) << alignof<T>()), sx, n, out + (<usize>r << sh));
    ndNext(meta);
  }
}
