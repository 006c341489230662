// xx-vcopy, 128-bit SIMD: contiguous rows of the half conversions (f32 ↔ f16, f32 ↔ bf16) run
// 8 elements a step with the lane recipes of _lib/minifloat-simd.ts (shared with f32-f16-vcvt and
// f32-bf16-vcvt), bit-identical to _lib/half.ts; every other pair, strided rows and tails use the
// scalar loop of _lib/convert.ts.
import { T_F32, T_F16, T_BF16 } from '../_lib/ops';
import { FMT_F16, FMT_BF16 } from '../_lib/minifloat';
import { narrowX4, widenX4 } from '../_lib/minifloat-simd';
import { convertRowAny, dtypeShift } from '../_lib/convert';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from '../_lib/nd';

@inline function toF16x4(v: v128): v128 { return narrowX4(FMT_F16, v, false, false, v); }
@inline function toBf16x4(v: v128): v128 { return narrowX4(FMT_BF16, v, false, false, v); }
@inline function fromF16x4(h: v128): v128 { return widenX4(FMT_F16, h); }

@inline function simdRow(st: i32, dt: i32, s: usize, d: usize, n: i32): i32 {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    if (st == T_F32) {
      const v0 = v128.load(s + (<usize>i << 2));
      const v1 = v128.load(s + (<usize>i << 2), 16);
      const h = dt == T_F16
        ? i16x8.narrow_i32x4_u(toF16x4(v0), toF16x4(v1))
        : i16x8.narrow_i32x4_u(toBf16x4(v0), toBf16x4(v1));
      v128.store(d + (<usize>i << 1), h);
    } else {
      const h = v128.load(s + (<usize>i << 1));
      const lo = i32x4.extend_low_i16x8_u(h);
      const hi = i32x4.extend_high_i16x8_u(h);
      v128.store(d + (<usize>i << 2), st == T_F16 ? fromF16x4(lo) : i32x4.shl(lo, 16));
      v128.store(d + (<usize>i << 2), st == T_F16 ? fromF16x4(hi) : i32x4.shl(hi, 16), 16);
    }
  }
  return i;
}

/** 0: no SIMD path; 1..4: f32→f16, f32→bf16, f16→f32, bf16→f32. */
@inline function halfPair(st: i32, dt: i32): i32 {
  if (st == T_F32) return dt == T_F16 ? 1 : dt == T_BF16 ? 2 : 0;
  if (dt == T_F32) return st == T_F16 ? 3 : st == T_BF16 ? 4 : 0;
  return 0;
}

/** Same contract as xx_vcopy_scalar and bit-identical to it; fast for contiguous half conversions. */
export function xx_vcopy_wasmsimd(srcType: i32, dstType: i32, meta: usize, src: usize, dst: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const ssh = dtypeShift(srcType);
  const dsh = dtypeShift(dstType);
  const ss = <usize>ndInnerStride(meta, 0) << ssh;
  const ds = <usize>ndInnerStride(meta, 1) << dsh;
  const pair = ss == (<usize>1 << ssh) && ds == (<usize>1 << dsh) ? halfPair(srcType, dstType) : 0;
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const ps = src + (<usize>ndOffset(meta, 0) << ssh);
    const pd = dst + (<usize>ndOffset(meta, 1) << dsh);
    let done = 0;
    if (pair == 1) done = simdRow(T_F32, T_F16, ps, pd, n);
    else if (pair == 2) done = simdRow(T_F32, T_BF16, ps, pd, n);
    else if (pair == 3) done = simdRow(T_F16, T_F32, ps, pd, n);
    else if (pair == 4) done = simdRow(T_BF16, T_F32, ps, pd, n);
    convertRowAny(srcType, dstType, ps + (<usize>done << ssh), ss, pd + (<usize>done << dsh), ds, n - done);
    ndNext(meta);
  }
}
