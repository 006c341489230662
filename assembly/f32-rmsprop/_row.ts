// The per-element update of f32-rmsprop shared by scalar.ts and the SIMD remainder (internal: the
// leading underscore keeps it out of the wasm exports).

export const RMSPROP_CENTERED: i32 = 1;
export const RMSPROP_MAXIMIZE: i32 = 2;

@inline export function rmspropTail(from: i32, n: i32, p: usize, g: usize, v: usize, gavg: usize, buf: usize,
                                    lr: f32, alpha: f32, eps: f32, wd: f32, momentum: f32, flags: i32): void {
  const centered = (flags & RMSPROP_CENTERED) != 0;
  const maximize = (flags & RMSPROP_MAXIMIZE) != 0;
  const ca: f32 = 1 - alpha;
  for (let i = from; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o);
    if (maximize) gi = -gi;
    gi = gi + wd * pi;
    const vi = load<f32>(v + o) * alpha + (gi * gi) * ca;
    store<f32>(v + o, vi);
    let avg: f32;
    if (centered) {
      const ga = load<f32>(gavg + o) * alpha + gi * ca;
      store<f32>(gavg + o, ga);
      avg = Mathf.sqrt(vi - ga * ga) + eps;
    } else {
      avg = Mathf.sqrt(vi) + eps;
    }
    if (momentum > 0) {
      const b = load<f32>(buf + o) * momentum + gi / avg;
      store<f32>(buf + o, b);
      store<f32>(p + o, pi - lr * b);
    } else {
      store<f32>(p + o, pi - lr * (gi / avg));
    }
  }
}
