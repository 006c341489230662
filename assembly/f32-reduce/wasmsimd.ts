// f32-reduce, 128-bit SIMD:
// - contiguous sum rows accumulate in four f64x2 accumulators (8 floats a step) combined in a fixed
//   order, then the tail sequentially: deterministic and far more accurate than f32 accumulation;
// - contiguous max/min rows use two f32x4 accumulators: max/min are exact and wasm's NaN-propagating
//   f32 max/min give the same value in any order (NaN if any NaN, +0 over -0), so = scalar;
// - "column" reductions (2-D after collapsing, reduced dim strided, consecutive outputs contiguous in
//   x, e.g. a bias gradient summed over the batch) run 8 outputs at a time, each lane accumulating its
//   own output sequentially in f64 (sum, prod) or f32 (max, min): the same order and operations as
//   the scalar loop, so bit-identical to it, with whole cache lines used per load;
// - everything else uses the scalar loop of _lib/reduce.ts.
import { R_SUM, R_PROD, R_MAX, R_MIN } from '../_lib/ops';
import { reduceRow, reduceOutShift } from '../_lib/reduce';
import { ndDims, ndStride, ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from '../_lib/nd';

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

/** max (isMax) or min of a contiguous row; -Inf / +Inf when empty, NaN if any element is NaN. */
@inline function extremeContiguous(isMax: bool, x: usize, n: i32): f32 {
  let a0 = f32x4.splat(isMax ? -Infinity : Infinity);
  let a1 = a0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = x + (<usize>i << 2);
    a0 = isMax ? f32x4.max(a0, v128.load(p)) : f32x4.min(a0, v128.load(p));
    a1 = isMax ? f32x4.max(a1, v128.load(p, 16)) : f32x4.min(a1, v128.load(p, 16));
  }
  const v = isMax ? f32x4.max(a0, a1) : f32x4.min(a0, a1);
  let acc = isMax
    ? max<f32>(max<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)))
    : min<f32>(min<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), min<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
  for (; i < n; i++) {
    const e = load<f32>(x + (<usize>i << 2));
    acc = isMax ? max<f32>(acc, e) : min<f32>(acc, e);
  }
  return acc;
}

/** Two f64x2 lanes-pairs folded with `op` (sum or prod). */
@inline function fold64(op: i32, acc: v128, v: v128): v128 {
  return op == R_SUM ? f64x2.add(acc, v) : f64x2.mul(acc, v);
}

/** 8 consecutive outputs o[0..8) reduced over n elements spaced `sx` bytes apart (one column group). */
@inline function columns8(op: i32, x: usize, sx: usize, n: i32, o: usize): void {
  if (op == R_SUM || op == R_PROD) {
    const init = f64x2.splat(op == R_SUM ? 0.0 : 1.0);
    let a0 = init, a1 = init, a2 = init, a3 = init;
    for (let j = 0; j < n; j++) {
      const v0 = v128.load(x);
      const v1 = v128.load(x, 16);
      a0 = fold64(op, a0, f64x2.promote_low_f32x4(v0));
      a1 = fold64(op, a1, f64x2.promote_low_f32x4(v128.shuffle<i32>(v0, v0, 2, 3, 0, 1)));
      a2 = fold64(op, a2, f64x2.promote_low_f32x4(v1));
      a3 = fold64(op, a3, f64x2.promote_low_f32x4(v128.shuffle<i32>(v1, v1, 2, 3, 0, 1)));
      x += sx;
    }
    v128.store(o, v128.shuffle<i32>(f32x4.demote_f64x2_zero(a0), f32x4.demote_f64x2_zero(a1), 0, 1, 4, 5));
    v128.store(o, v128.shuffle<i32>(f32x4.demote_f64x2_zero(a2), f32x4.demote_f64x2_zero(a3), 0, 1, 4, 5), 16);
  } else {
    const init = f32x4.splat(op == R_MAX ? -Infinity : Infinity);
    let a0 = init, a1 = init;
    for (let j = 0; j < n; j++) {
      a0 = op == R_MAX ? f32x4.max(a0, v128.load(x)) : f32x4.min(a0, v128.load(x));
      a1 = op == R_MAX ? f32x4.max(a1, v128.load(x, 16)) : f32x4.min(a1, v128.load(x, 16));
      x += sx;
    }
    v128.store(o, a0);
    v128.store(o, a1, 16);
  }
}

/** 2-D column reduction: rows (outputs) have x-stride 1, the reduced dim has x-stride sx (elements). */
function columnsAll(op: i32, x: usize, rows: i32, n: i32, sx: i32, out: usize): void {
  const sb = <usize>sx << 2;
  let r = 0;
  for (; r + 8 <= rows; r += 8) {
    const px = x + (<usize>r << 2);
    const po = out + (<usize>r << 2);
    if (op == R_SUM) columns8(R_SUM, px, sb, n, po);
    else if (op == R_PROD) columns8(R_PROD, px, sb, n, po);
    else if (op == R_MAX) columns8(R_MAX, px, sb, n, po);
    else columns8(R_MIN, px, sb, n, po);
  }
  for (; r < rows; r++) reduceRow<f32>(op, x + (<usize>r << 2), sb, n, out + (<usize>r << 2));
}

/** Same contract as f32_reduce_scalar; bit-identical to it except contiguous sums (order above; NaN payloads aside). */
export function f32_reduce_wasmsimd(op: i32, meta: usize, x: usize, out: usize): void {
  if (op <= 3 && ndDims(meta) == 2 && ndStride(meta, 0, 0) == 1 && ndInnerStride(meta, 0) != 1) {
    columnsAll(op, x, ndRows(meta), ndInner(meta), ndInnerStride(meta, 0), out);
    return;
  }
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const sx = ndInnerStride(meta, 0);
  const sh = reduceOutShift<f32>(op);
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const px = x + (<usize>ndOffset(meta, 0) << 2);
    const po = out + (<usize>r << sh);
    if (op == R_SUM && sx == 1) store<f32>(po, sumContiguous(px, n));
    else if (op == R_MAX && sx == 1) store<f32>(po, extremeContiguous(true, px, n));
    else if (op == R_MIN && sx == 1) store<f32>(po, extremeContiguous(false, px, n));
    else reduceRow<f32>(op, px, <usize>sx << 2, n, po);
    ndNext(meta);
  }
}
