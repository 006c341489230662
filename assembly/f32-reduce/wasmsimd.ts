// f32-reduce, 128-bit SIMD: contiguous sum rows accumulate in four f64x2 accumulators (8 floats a
// step) combined in a fixed order, then the tail sequentially: deterministic and far more accurate
// than f32 accumulation. Other ops and strided rows use the scalar loop of _lib/reduce.ts.
import { R_SUM } from '../_lib/ops';
import { reduceRow, reduceOutShift } from '../_lib/reduce';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from '../_lib/nd';

function sumContiguous(x: usize, n: i32): f32 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const v0 = v128.load(x + (<usize>i << 2));
    const v1 = v128.load(x + (<usize>i << 2), 16);
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v0));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<i32>(v0, v0, 2, 3, 0, 1)));
    a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v1));
    a3 = f64x2.add(a3, f64x2.promote_low_f32x4(v128.shuffle<i32>(v1, v1, 2, 3, 0, 1)));
  }
  const s = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) acc += <f64>load<f32>(x + (<usize>i << 2));
  return <f32>acc;
}

/** Same contract as f32_reduce_scalar; contiguous sums use the SIMD order documented above. */
export function f32_reduce_wasmsimd(op: i32, meta: usize, x: usize, out: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sx = ndInnerStride(meta, 0);
  const sh = reduceOutShift<f32>(op);
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const px = x + (<usize>ndOffset(meta, 0) << 2);
    const po = out + (<usize>r << sh);
    if (op == R_SUM && sx == 1) store<f32>(po, sumContiguous(px, n));
    else reduceRow<f32>(op, px, <usize>sx << 2, n, po);
    ndNext(meta);
  }
}
