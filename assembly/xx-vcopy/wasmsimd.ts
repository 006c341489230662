// xx-vcopy, 128-bit SIMD: contiguous rows of the half conversions (f32 ↔ f16, f32 ↔ bf16) run
// 8 elements a step with the scalar code's integer recipes done lane-wise (selects instead of
// branches), so the results are bit-identical to _lib/half.ts; every other pair, strided rows and
// tails use the scalar loop of _lib/convert.ts.
import { T_F32, T_F16, T_BF16 } from '../_lib/ops';
import { convertRowAny, dtypeShift } from '../_lib/convert';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from '../_lib/nd';

/** f32 bits → f16 bits in 4 i32 lanes (see f32ToF16Bits). */
@inline function toF16x4(v: v128): v128 {
  const sign = v128.and(i32x4.shr_u(v, 16), i32x4.splat(0x8000));
  const a = v128.and(v, i32x4.splat(0x7fffffff));
  const e = i32x4.sub(a, i32x4.splat(0x38000000));
  const normal = i32x4.shr_u(i32x4.add(i32x4.add(e, i32x4.splat(0xfff)), v128.and(i32x4.shr_u(e, 13), i32x4.splat(1))), 13);
  const sub = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(a, f32x4.splat(16777216.0))));
  let r = v128.bitselect(sub, normal, i32x4.lt_s(a, i32x4.splat(0x38800000)));
  r = v128.bitselect(i32x4.splat(0x7c00), r, i32x4.ge_s(a, i32x4.splat(0x477ff000)));
  r = v128.bitselect(i32x4.splat(0x7e00), r, i32x4.gt_s(a, i32x4.splat(0x7f800000)));
  return v128.or(r, sign);
}

/** f32 bits → bf16 bits in 4 i32 lanes (see f32ToBf16Bits). */
@inline function toBf16x4(v: v128): v128 {
  const r = i32x4.shr_u(i32x4.add(i32x4.add(v, i32x4.splat(0x7fff)), v128.and(i32x4.shr_u(v, 16), i32x4.splat(1))), 16);
  return v128.bitselect(i32x4.splat(0x7fc0), r, f32x4.ne(v, v));
}

/** f16 bits (u32 lanes) → f32: (h & 0x7fff) << 13 read as f32 times 2^112 is exact for normals and
 * subnormals alike; Inf/NaN (exponent 31) keep their payload as in f16BitsToF32. */
@inline function fromF16x4(h: v128): v128 {
  const sign = i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16);
  const o = i32x4.shl(v128.and(h, i32x4.splat(0x7fff)), 13);
  const finite = f32x4.mul(o, f32x4.splat(5.192296858534828e33)); // 2^112
  const special = v128.or(o, i32x4.splat(0x7f800000));
  const isSpecial = i32x4.ge_s(o, i32x4.splat(0x0f800000)); // exponent field 31
  return v128.or(v128.bitselect(special, finite, isSpecial), sign);
}

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
