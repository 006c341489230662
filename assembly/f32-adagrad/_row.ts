// The per-element update of f32-adagrad shared by scalar.ts and the SIMD remainder (internal: the
// leading underscore keeps it out of the wasm exports).

export const ADAGRAD_MAXIMIZE: i32 = 2;

@inline export function adagradTail(from: i32, n: i32, p: usize, g: usize, sum: usize, clr: f32, eps: f32,
                                    wd: f32, flags: i32): void {
  const maximize = (flags & ADAGRAD_MAXIMIZE) != 0;
  for (let i = from; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o);
    if (maximize) gi = -gi;
    gi = gi + wd * pi;
    const s = load<f32>(sum + o) + gi * gi;
    store<f32>(sum + o, s);
    store<f32>(p + o, pi - clr * (gi / (Mathf.sqrt(s) + eps)));
  }
}
