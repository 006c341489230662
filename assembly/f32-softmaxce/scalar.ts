// f32-softmaxce, scalar: the readable ground truth of the fused softmax-cross-entropy kernel.
import { expf32 } from '../_lib/expf';

/**
 * Fused softmax cross-entropy over `rows` rows of `cols` logits, one pass per row:
 *   m = max_j x_j,  s = Σ_j e^{x_j − m},  loss_r = (m − x_label) + log s,
 *   dlogits_rj = scale · (e^{x_j − m} / s − [j = label]).
 * Layouts (byte pointers): logits and dlogits f32 row-major [rows, cols] contiguous (dlogits may
 * alias nothing else; pass 0 to skip it), labels i32 [rows], loss f32 [rows]. A label outside
 * [0, cols) marks an ignored row: loss 0 and a zero dlogits row. Alignment: 4 bytes.
 * Stable for any finite logits (|x| ≤ 1e4 and beyond): every exponent is ≤ 0 and the loss is
 * formed as (m − x_label) + log s so large equal logits do not cancel. A row whose max is NaN or
 * ±Inf gives NaN loss and dlogits (as torch; 0 if the row is ignored). s accumulates in f64.
 * Not in place.
 */
export function f32_softmaxce_scalar(logits: usize, labels: usize, rows: i32, cols: i32, loss: usize, dlogits: usize, scale: f32): void {
  for (let r = 0; r < rows; r++) {
    const x = logits + (<usize>r * <usize>cols << 2);
    let m = load<f32>(x);
    for (let j = 1; j < cols; j++) {
      const v = load<f32>(x + (<usize>j << 2));
      if (v > m || v != v) m = v;
    }
    const label = load<i32>(labels + (<usize>r << 2));
    const valid = label >= 0 && label < cols;
    const d = dlogits + (<usize>r * <usize>cols << 2);
    if (!isFinite(m)) {
      store<f32>(loss + (<usize>r << 2), valid ? NaN : 0);
      if (dlogits != 0) for (let j = 0; j < cols; j++) store<f32>(d + (<usize>j << 2), valid ? NaN : 0);
      continue;
    }
    let s: f64 = 0;
    for (let j = 0; j < cols; j++) s += <f64>expf32(load<f32>(x + (<usize>j << 2)) - m);
    const xl = valid ? load<f32>(x + (<usize>label << 2)) : m;
    store<f32>(loss + (<usize>r << 2), valid ? <f32>(<f64>(m - xl) + Math.log(s)) : 0);
    if (dlogits == 0) continue;
    const inv = <f32>(<f64>scale / s);
    for (let j = 0; j < cols; j++) {
      const p = expf32(load<f32>(x + (<usize>j << 2)) - m) * inv;
      store<f32>(d + (<usize>j << 2), valid ? p : 0);
    }
    if (valid) store<f32>(d + (<usize>label << 2), load<f32>(d + (<usize>label << 2)) - scale);
  }
}
