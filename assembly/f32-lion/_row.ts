// The per-element update of f32-lion shared by scalar.ts and the SIMD remainder (internal: the
// leading underscore keeps it out of the wasm exports).

@inline function signf(x: f32): f32 {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

@inline export function lionTail(from: i32, n: i32, p: usize, g: usize, m: usize, lr: f32, beta1: f32,
                                 beta2: f32, decay: f32): void {
  const c1: f32 = 1 - beta1;
  const c2: f32 = 1 - beta2;
  for (let i = from; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = load<f32>(m + o);
    const c = mi * beta1 + gi * c1;
    store<f32>(p + o, load<f32>(p + o) * decay - lr * signf(c));
    store<f32>(m + o, mi * beta2 + gi * c2);
  }
}
