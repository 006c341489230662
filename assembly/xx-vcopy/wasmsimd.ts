// xx-vcopy, 128-bit SIMD: contiguous rows of the half conversions (f32 ↔ f16, f32 ↔ bf16) run
// in SIMD steps with the loops of _lib/vcvt.ts (shared with f32-f16-vcvt and
// f32-bf16-vcvt), bit-identical to _lib/half.ts; every other pair, strided rows and tails use the
// scalar loop of _lib/convert.ts.
import { T_F32, T_F16, T_BF16 } from '../_lib/ops';
import { FMT_F16, FMT_BF16 } from '../_lib/minifloat';
import { narrowSteps, widenSteps } from '../_lib/vcvt';
import { convertRowAny, dtypeShift } from '../_lib/convert';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from '../_lib/nd';

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
    if (pair == 1) done = narrowSteps(FMT_F16, false, false, n, ps, pd, 0, 0, 0, 0);
    else if (pair == 2) done = narrowSteps(FMT_BF16, false, false, n, ps, pd, 0, 0, 0, 0);
    else if (pair == 3) done = widenSteps(FMT_F16, n, ps, pd);
    else if (pair == 4) done = widenSteps(FMT_BF16, n, ps, pd);
    convertRowAny(srcType, dstType, ps + (<usize>done << ssh), ss, pd + (<usize>done << dsh), ds, n - done);
    ndNext(meta);
  }
}
