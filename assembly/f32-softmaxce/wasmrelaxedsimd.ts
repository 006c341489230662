// f32-softmaxce, relaxed SIMD: the _rows.ts body with f32x4.relaxed_madd in the exp (fused where
// the CPU has FMA, so the last bit may differ between machines).
import { softmaxceRows } from './_rows';

/** Same contract as f32_softmaxce_wasmsimd; multiply-adds may be fused (error ≤ that of mul+add). */
export function f32_softmaxce_wasmrelaxedsimd(logits: usize, labels: usize, rows: i32, cols: i32, loss: usize, dlogits: usize, scale: f32): void {
  softmaxceRows(logits, labels, rows, cols, loss, dlogits, scale, true);
}
