// f32-softmaxce, 128-bit SIMD: the same contract as f32_softmaxce_scalar. Per row, three
// cache-resident passes over the row: (1) max in four lanes, (2) e^{x−m} stored into the dlogits
// row and summed (f32 lanes over blocks of 64 floats, each block added into f64), (3) the dlogits
// row scaled by scale/s. DRAM sees the logits read once and dlogits written once.
import { expf32, expf32x4 } from '../_lib/expf';

const BLOCK = 64; // floats summed in f32 before promotion: bounds the f32 rounding error growth

function rowMax(x: usize, n: i32): f32 {
  let i = 0;
  let m: f32 = load<f32>(x);
  if (n >= 4) {
    let mv = v128.load(x);
    for (i = 4; i + 4 <= n; i += 4) mv = f32x4.max(mv, v128.load(x + (<usize>i << 2))); // NaN propagates
    const a = f32x4.max(mv, v128.shuffle<i32>(mv, mv, 2, 3, 0, 1));
    const b = f32x4.max(a, v128.shuffle<i32>(a, a, 1, 0, 3, 2));
    m = f32x4.extract_lane(b, 0);
  } else i = 1;
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v > m || v != v) m = v;
  }
  return m;
}

/** Σ e^{x_j − m}; stores the terms at d when d ≠ 0. */
function expSum(x: usize, n: i32, m: f32, d: usize): f64 {
  const mv = f32x4.splat(m);
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n, i + BLOCK);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const e = expf32x4(f32x4.sub(v128.load(x + (<usize>i << 2)), mv));
      if (d != 0) v128.store(d + (<usize>i << 2), e);
      acc = f32x4.add(acc, e);
    }
    const h = f32x4.add(acc, v128.shuffle<i32>(acc, acc, 2, 3, 0, 1));
    total += <f64>f32x4.extract_lane(h, 0) + <f64>f32x4.extract_lane(h, 1);
  }
  for (; i < n; i++) {
    const e = expf32(load<f32>(x + (<usize>i << 2)) - m);
    if (d != 0) store<f32>(d + (<usize>i << 2), e);
    total += <f64>e;
  }
  return total;
}

function scaleRow(d: usize, n: i32, k: f32): void {
  const kv = f32x4.splat(k);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(d + (<usize>i << 2), f32x4.mul(v128.load(d + (<usize>i << 2)), kv));
  for (; i < n; i++) store<f32>(d + (<usize>i << 2), load<f32>(d + (<usize>i << 2)) * k);
}

/** Same contract as f32_softmaxce_scalar (sums in a different, fixed order: ≲ 1e-6 relative apart). */
export function f32_softmaxce_wasmsimd(logits: usize, labels: usize, rows: i32, cols: i32, loss: usize, dlogits: usize, scale: f32): void {
  for (let r = 0; r < rows; r++) {
    const x = logits + (<usize>r * <usize>cols << 2);
    const d: usize = dlogits == 0 ? 0 : dlogits + (<usize>r * <usize>cols << 2);
    const m = rowMax(x, cols);
    const s = expSum(x, cols, m, d);
    const label = load<i32>(labels + (<usize>r << 2));
    const valid = label >= 0 && label < cols;
    const xl = valid ? load<f32>(x + (<usize>label << 2)) : m;
    store<f32>(loss + (<usize>r << 2), valid ? <f32>(<f64>(m - xl) + Math.log(s)) : 0);
    if (d == 0) continue;
    scaleRow(d, cols, valid ? <f32>(<f64>scale / s) : 0);
    if (valid) store<f32>(d + (<usize>label << 2), load<f32>(d + (<usize>label << 2)) - scale);
  }
}
