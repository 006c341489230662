// The per-element update of f32-adam shared by scalar.ts and the SIMD remainder (internal: the
// leading underscore keeps it out of the wasm exports).

export const ADAM_AMSGRAD: i32 = 1;
export const ADAM_MAXIMIZE: i32 = 2;

/** Elements [from, n) of f32_adam_scalar; the SIMD variant finishes its remainder here. */
@inline export function adamTail(from: i32, n: i32, p: usize, g: usize, m: usize, v: usize, vmax: usize,
                                 beta1: f32, beta2: f32, eps: f32, stepSize: f32, bc2sqrt: f32,
                                 decay: f32, l2: f32, flags: i32): void {
  const ams = (flags & ADAM_AMSGRAD) != 0;
  const maximize = (flags & ADAM_MAXIMIZE) != 0;
  const c1: f32 = 1 - beta1;
  const c2: f32 = 1 - beta2;
  for (let i = from; i < n; i++) {
    const o = <usize>i << 2;
    let gi = load<f32>(g + o);
    if (maximize) gi = -gi;
    let pi = load<f32>(p + o) * decay;
    gi = gi + l2 * pi;
    const mi = load<f32>(m + o) * beta1 + gi * c1;
    const vi = load<f32>(v + o) * beta2 + (gi * gi) * c2;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    let s = vi;
    if (ams) {
      s = max<f32>(load<f32>(vmax + o), vi);
      store<f32>(vmax + o, s);
    }
    const denom = Mathf.sqrt(s) / bc2sqrt + eps;
    store<f32>(p + o, pi - stepSize * (mi / denom));
  }
}
