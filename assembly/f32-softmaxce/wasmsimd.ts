// f32-softmaxce, 128-bit SIMD (body in _rows.ts: three cache-resident passes per row, a cheap
// exp for non-positive exponents, f64 block sums).
import { softmaxceRows } from './_rows';

/**
 * Same contract as f32_softmaxce_scalar, except: rows whose max is NaN or ±Inf give NaN loss and
 * dlogits (0 for ignored rows); exp terms below e^{−86} read 4e-38 instead of ~0; sums run in a
 * different fixed order (results ≲ 1e-6 relative from the scalar kernel).
 */
export function f32_softmaxce_wasmsimd(logits: usize, labels: usize, rows: i32, cols: i32, loss: usize, dlogits: usize, scale: f32): void {
  softmaxceRows(logits, labels, rows, cols, loss, dlogits, scale, false);
}
