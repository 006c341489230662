// Strided dtype conversion (copy) between any pair of f64, f32, f16, bf16, i32.
// Every element goes through f64, which is exact for all sources; the destination then rounds once:
// f32 (RNE), f16/bf16 via f32 (RNE, as ts/dtype.ts does for JS numbers), i32 truncating toward
// zero, saturating at the i32 range (±Inf included) with NaN → 0 (Backend.copy's contract, as the
// reference device), never a trap.
import { T_F64, T_F32, T_F16, T_BF16 } from './ops';
import { f32ToF16Bits, f16BitsToF32, f32ToBf16Bits, bf16BitsToF32 } from './half';
import { ndRows, ndInner, ndInnerStride, ndOffset, ndBegin, ndNext } from './nd';

@inline export function toInt32(x: f64): i32 {
  return <i32>x; // i32.trunc_sat_f64_s: truncates, saturates, NaN → 0, never traps
}

@inline function readAs(t: i32, p: usize): f64 {
  switch (t) {
    case T_F64: return load<f64>(p);
    case T_F32: return <f64>load<f32>(p);
    case T_F16: return <f64>f16BitsToF32(<u32>load<u16>(p));
    case T_BF16: return <f64>bf16BitsToF32(<u32>load<u16>(p));
    default: return <f64>load<i32>(p);
  }
}

@inline function writeAs(t: i32, p: usize, v: f64): void {
  switch (t) {
    case T_F64: store<f64>(p, v); break;
    case T_F32: store<f32>(p, <f32>v); break;
    case T_F16: store<u16>(p, <u16>f32ToF16Bits(<f32>v)); break;
    case T_BF16: store<u16>(p, <u16>f32ToBf16Bits(<f32>v)); break;
    default: store<i32>(p, toInt32(v));
  }
}

/** log2 of a dtype code's element size. */
@inline export function dtypeShift(t: i32): usize {
  return t == T_F64 ? 3 : t == T_F16 || t == T_BF16 ? 1 : 2;
}

@inline function convertRow(st: i32, dt: i32, s: usize, ss: usize, d: usize, ds: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    writeAs(dt, d, readAs(st, s));
    s += ss;
    d += ds;
  }
}

/** Copy of one row with the same dtype: a bulk memory.copy when both sides are contiguous. */
@inline function sameRow<T>(s: usize, ss: usize, d: usize, ds: usize, n: i32): void {
  if (ss == sizeof<T>() && ds == sizeof<T>()) { memory.copy(d, s, <usize>n << alignof<T>()); return; }
  for (let i = 0; i < n; i++) { store<T>(d, load<T>(s)); s += ss; d += ds; }
}

/** Row dispatch: each (src, dst) pair gets its own loop after constant propagation. */
export function convertRowAny(st: i32, dt: i32, s: usize, ss: usize, d: usize, ds: usize, n: i32): void {
  if (st == dt) {
    const sh = dtypeShift(st);
    if (sh == 3) sameRow<u64>(s, ss, d, ds, n);
    else if (sh == 2) sameRow<u32>(s, ss, d, ds, n);
    else sameRow<u16>(s, ss, d, ds, n);
    return;
  }
  switch (st * 5 + dt) {
    case 1: convertRow(0, 1, s, ss, d, ds, n); break;
    case 2: convertRow(0, 2, s, ss, d, ds, n); break;
    case 3: convertRow(0, 3, s, ss, d, ds, n); break;
    case 4: convertRow(0, 4, s, ss, d, ds, n); break;
    case 5: convertRow(1, 0, s, ss, d, ds, n); break;
    case 7: convertRow(1, 2, s, ss, d, ds, n); break;
    case 8: convertRow(1, 3, s, ss, d, ds, n); break;
    case 9: convertRow(1, 4, s, ss, d, ds, n); break;
    case 10: convertRow(2, 0, s, ss, d, ds, n); break;
    case 11: convertRow(2, 1, s, ss, d, ds, n); break;
    case 13: convertRow(2, 3, s, ss, d, ds, n); break;
    case 14: convertRow(2, 4, s, ss, d, ds, n); break;
    case 15: convertRow(3, 0, s, ss, d, ds, n); break;
    case 16: convertRow(3, 1, s, ss, d, ds, n); break;
    case 17: convertRow(3, 2, s, ss, d, ds, n); break;
    case 19: convertRow(3, 4, s, ss, d, ds, n); break;
    case 20: convertRow(4, 0, s, ss, d, ds, n); break;
    case 21: convertRow(4, 1, s, ss, d, ds, n); break;
    case 22: convertRow(4, 2, s, ss, d, ds, n); break;
    default: convertRow(4, 3, s, ss, d, ds, n); // 23: i32 → bf16
  }
}

/** N-d driver: META operands 0 = src, 1 = dst. */
@inline export function convertND(st: i32, dt: i32, meta: usize, src: usize, dst: usize): void {
  const rows = ndRows(meta);
  const n = ndInner(meta);
  const ssh = dtypeShift(st);
  const dsh = dtypeShift(dt);
  const ss = <usize>ndInnerStride(meta, 0) << ssh;
  const ds = <usize>ndInnerStride(meta, 1) << dsh;
  ndBegin(meta);
  for (let r = 0; r < rows; r++) {
    const ps = src + (<usize>ndOffset(meta, 0) << ssh);
    const pd = dst + (<usize>ndOffset(meta, 1) << dsh);
    convertRowAny(st, dt, ps, ss, pd, ds, n);
    ndNext(meta);
  }
}
