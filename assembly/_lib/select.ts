// Data-movement kernels with indices or a mask: where, gather, scatterAdd (N-d drivers, any element
// width; scatterAdd adds in the element's arithmetic). gather and scatterAdd first check every index
// against the dim's size and, if one is out of range, touch nothing and return its row-major
// position (else -1), so a bad index is an error on the host, never a stray memory access.
// Strides in META are ELEMENTS; `dimStride` is x's / target's stride along `dim` (elements) while
// META carries 0 for that operand on `dim`, so the index alone moves it.
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from './nd';

/** One strided row of where (strides in BYTES). */
@inline export function whereRow<T>(pc: usize, sc: usize, pa: usize, sa: usize, pb: usize, sb: usize, po: usize, so: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    store<T>(po, load<i32>(pc) != 0 ? load<T>(pa) : load<T>(pb));
    pc += sc; pa += sa; pb += sb; po += so;
  }
}

/** out = cond ≠ 0 ? a : b. META operands: 0 = cond (i32), 1 = a, 2 = b, 3 = out. */
@inline export function whereND<T>(meta: usize, cond: usize, a: usize, b: usize, out: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sc = <usize>ndInnerStride(meta, 0) << 2;
  const sa = <usize>ndInnerStride(meta, 1) << alignof<T>();
  const sb = <usize>ndInnerStride(meta, 2) << alignof<T>();
  const so = <usize>ndInnerStride(meta, 3) << alignof<T>();
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const pc = cond + (<usize>ndOffset(meta, 0) << 2);
    const pa = a + (<usize>ndOffset(meta, 1) << alignof<T>());
    const pb = b + (<usize>ndOffset(meta, 2) << alignof<T>());
    const po = out + (<usize>ndOffset(meta, 3) << alignof<T>());
    whereRow<T>(pc, sc, pa, sa, pb, sb, po, so, n);
    ndNext(meta);
  }
}

/** Row-major position of the first index (META operand 1) outside [0, dimSize), or -1. */
export function firstBadIndex(meta: usize, index: usize, dimSize: i32): i32 {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const si = <usize>ndInnerStride(meta, 1) << 2;
  // a row of one repeated index (index_select, a DataLoader batch) needs one check, not n
  const checks = si == 0 && n > 0 ? 1 : n;
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    let pi = index + (<usize>ndOffset(meta, 1) << 2);
    for (let i = 0; i < checks; i++) {
      if (<u32>load<i32>(pi) >= <u32>dimSize) return r * n + i;
      pi += si;
    }
    ndNext(meta);
  }
  return -1;
}

/** out[i] = x[.. index[i] on dim ..]. META operands: 0 = x, 1 = index (i32), 2 = out. */
@inline export function gatherND<T>(meta: usize, dimStride: i32, dimSize: i32, x: usize, index: usize, out: usize): i32 {
  const bad = firstBadIndex(meta, index, dimSize);
  if (bad >= 0) return bad;
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sx = <usize>ndInnerStride(meta, 0) << alignof<T>();
  const si = <usize>ndInnerStride(meta, 1) << 2;
  const so = <usize>ndInnerStride(meta, 2) << alignof<T>();
  ndBegin(meta);
  // one index for a whole contiguous row (index_select of rows, a DataLoader batch): a bulk copy
  const wholeRows = si == 0 && sx == sizeof<T>() && so == sizeof<T>();
  for (let r = 0; r < rows; r++) {
    let px = x + (<usize>ndOffset(meta, 0) << alignof<T>());
    let pi = index + (<usize>ndOffset(meta, 1) << 2);
    let po = out + (<usize>ndOffset(meta, 2) << alignof<T>());
    if (wholeRows) {
      memory.copy(po, px + (<usize>(load<i32>(pi) * dimStride) << alignof<T>()), <usize>n << alignof<T>());
      ndNext(meta);
      continue;
    }
    for (let i = 0; i < n; i++) {
      store<T>(po, load<T>(px + (<usize>(load<i32>(pi) * dimStride) << alignof<T>())));
      px += sx; pi += si; po += so;
    }
    ndNext(meta);
  }
  return -1;
}

/** target[.. index[i] on dim ..] += src[i], in row-major order of i. META: 0 = target, 1 = index, 2 = src. */
@inline export function scatterAddND<T>(meta: usize, dimStride: i32, dimSize: i32, target: usize, index: usize, src: usize): i32 {
  const bad = firstBadIndex(meta, index, dimSize);
  if (bad >= 0) return bad;
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const st = <usize>ndInnerStride(meta, 0) << alignof<T>();
  const si = <usize>ndInnerStride(meta, 1) << 2;
  const ss = <usize>ndInnerStride(meta, 2) << alignof<T>();
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    let pt = target + (<usize>ndOffset(meta, 0) << alignof<T>());
    let pi = index + (<usize>ndOffset(meta, 1) << 2);
    let ps = src + (<usize>ndOffset(meta, 2) << alignof<T>());
    for (let i = 0; i < n; i++) {
      const p = pt + (<usize>(load<i32>(pi) * dimStride) << alignof<T>());
      store<T>(p, load<T>(p) + load<T>(ps));
      pt += st; pi += si; ps += ss;
    }
    ndNext(meta);
  }
  return -1;
}
