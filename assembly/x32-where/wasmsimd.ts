// x32-where, 128-bit SIMD: rows with cond and out contiguous and a, b each contiguous or a broadcast
// scalar (e.g. relu's backward `where(x > 0, g, 0)`) select 4 lanes at a time with a cond ≠ 0 mask;
// other rows and tails use the scalar row of _lib/select.ts. A pure select, so bit-identical.
import { whereRow } from '../_lib/select';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from '../_lib/nd';

@inline function simdRow(pc: usize, pa: usize, sa: i32, pb: usize, sb: i32, po: usize, n: i32): i32 {
  const va = v128.load32_splat(pa);
  const vb = v128.load32_splat(pb);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const mask = i32x4.ne(v128.load(pc + off), i32x4.splat(0));
    v128.store(po + off, v128.bitselect(sa != 0 ? v128.load(pa + off) : va, sb != 0 ? v128.load(pb + off) : vb, mask));
  }
  return i;
}

/** Same contract as x32_where_scalar and bit-identical to it; fast on contiguous / scalar rows. */
export function x32_where_wasmsimd(meta: usize, cond: usize, a: usize, b: usize, out: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sc = ndInnerStride(meta, 0), sa = ndInnerStride(meta, 1), sb = ndInnerStride(meta, 2), so = ndInnerStride(meta, 3);
  const fast = sc == 1 && so == 1 && sa <= 1 && sb <= 1;
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const pc = cond + (<usize>ndOffset(meta, 0) << 2);
    const pa = a + (<usize>ndOffset(meta, 1) << 2);
    const pb = b + (<usize>ndOffset(meta, 2) << 2);
    const po = out + (<usize>ndOffset(meta, 3) << 2);
    let i = 0;
    if (fast) {
      if (sa == 1 && sb == 1) i = simdRow(pc, pa, 1, pb, 1, po, n);
      else if (sa == 1) i = simdRow(pc, pa, 1, pb, 0, po, n);
      else if (sb == 1) i = simdRow(pc, pa, 0, pb, 1, po, n);
      else i = simdRow(pc, pa, 0, pb, 0, po, n);
    }
    const k = <usize>i << 2;
    whereRow<u32>(pc + k, <usize>sc << 2, pa + (<usize>sa * k), <usize>sa << 2, pb + (<usize>sb * k), <usize>sb << 2, po + k, <usize>so << 2, n - i);
    ndNext(meta);
  }
}
