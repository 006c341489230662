// relu's backward, scalar reference: out[i] ← x[i] ≤ 0 ? 0 : g[i], one pass instead of the
// composition where(le(x, 0), 0, g) (a mask tensor, then a select).

/**
 * out[i] ← x[i] ≤ 0 ? +0 : g[i] for i < n; x, g, out: byte pointers to n contiguous f32 (out may
 * be g). NaN in x compares false, so g passes there (torch's threshold_backward); -0 is cut. x may
 * be relu's input or its output: both are ≤ 0 at the same places.
 */
export function f32_relugrad_scalar(n: i32, x: usize, g: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, load<f32>(x + off) <= 0 ? <f32>0.0 : load<f32>(g + off));
  }
}
