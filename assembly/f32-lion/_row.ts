// The per-element update of f32-lion shared by scalar.ts and the SIMD remainder, and the
// multi-tensor loop both variants' multi entries run (internal: the leading underscore keeps it
// out of the wasm exports). No gradient prologue: Lion has neither maximize nor coupled decay.

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

/** The single-tensor signature of f32_lion_scalar and f32_lion_wasmsimd. */
export type LionStep = (n: i32, p: usize, g: usize, m: usize, lr: f32, beta1: f32, beta2: f32, decay: f32) => void;

/** Runs `step` over count records of four u32 [n, p, g, m] (byte pointers) at table. */
export function lionMulti(step: LionStep, count: i32, table: usize, lr: f32, beta1: f32, beta2: f32, decay: f32): void {
  for (let t = 0; t < count; t++) {
    const r = table + <usize>t * 16;
    step(load<i32>(r), load<u32>(r, 4), load<u32>(r, 8), load<u32>(r, 12), lr, beta1, beta2, decay);
  }
}
