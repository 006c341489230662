// N-d strided iteration shared by every elementwise, reduce, gather and scatter kernel.
// The host writes a META block (i32 words, byte address `meta`, 4-byte aligned) into scratch:
//   [0] nd ≥ 1   [1] nops   [2 .. 2+nd) shape   then nops × nd strides (ELEMENTS, ≥ 0)
//   then work space the kernel owns: nd counters, nops current offsets.
// Kernels walk the outer nd-1 dims with ndNext() and process the last dim as one "row" with the
// row's inner strides, so the per-element loop never sees the N-d bookkeeping.

@inline function word(meta: usize, i: i32): usize { return meta + (<usize>i << 2); }
@inline export function ndDims(meta: usize): i32 { return load<i32>(meta); }
@inline function ndOps(meta: usize): i32 { return load<i32>(meta, 4); }
@inline export function ndShape(meta: usize, d: i32): i32 { return load<i32>(word(meta, 2 + d)); }
@inline export function ndStride(meta: usize, k: i32, d: i32): i32 {
  return load<i32>(word(meta, 2 + ndDims(meta) * (1 + k) + d));
}
@inline function counterAt(meta: usize, d: i32): usize {
  const nd = ndDims(meta);
  return word(meta, 2 + nd * (1 + ndOps(meta)) + d);
}
@inline function offsetAt(meta: usize, k: i32): usize {
  const nd = ndDims(meta);
  return word(meta, 2 + nd * (2 + ndOps(meta)) + k);
}

/** Length of the innermost dim (the row). */
@inline export function ndInner(meta: usize): i32 { return ndShape(meta, ndDims(meta) - 1); }
/** Inner (row) stride of operand k, in elements. */
@inline export function ndInnerStride(meta: usize, k: i32): i32 { return ndStride(meta, k, ndDims(meta) - 1); }
/** Current row's starting offset of operand k, in elements. */
@inline export function ndOffset(meta: usize, k: i32): i32 { return load<i32>(offsetAt(meta, k)); }

/** Number of rows: product of the outer nd-1 dims (a row may itself be empty). */
export function ndRows(meta: usize): i32 {
  const nd = ndDims(meta);
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= ndShape(meta, d);
  return rows;
}

/** Resets counters and offsets to the first row. */
export function ndBegin(meta: usize): void {
  const nd = ndDims(meta);
  const nops = ndOps(meta);
  for (let d = 0; d < nd; d++) store<i32>(counterAt(meta, d), 0);
  for (let k = 0; k < nops; k++) store<i32>(offsetAt(meta, k), 0);
}

/** Advances to the next row (odometer over dims nd-2 .. 0), updating every operand's offset. */
export function ndNext(meta: usize): void {
  const nd = ndDims(meta);
  const nops = ndOps(meta);
  for (let d = nd - 2; d >= 0; d--) {
    const c = load<i32>(counterAt(meta, d)) + 1;
    const n = ndShape(meta, d);
    const wrap = c == n;
    store<i32>(counterAt(meta, d), wrap ? 0 : c);
    for (let k = 0; k < nops; k++) {
      const s = ndStride(meta, k, d);
      const p = offsetAt(meta, k);
      store<i32>(p, load<i32>(p) + (wrap ? s - s * n : s));
    }
    if (!wrap) return;
  }
}
