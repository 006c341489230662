// The per-element update of f32-adam shared by scalar.ts and the SIMD remainder, and the
// multi-tensor loop both variants' multi entries run (internal: the leading underscore keeps it
// out of the wasm exports).
import { gradIn, maximizes } from '../_lib/optim-row';

// flags: ADAM_AMSGRAD, OPT_MAXIMIZE (= 2, _lib/optim-row.ts).
export const ADAM_AMSGRAD: i32 = 1;

/** Elements [from, n) of f32_adam_scalar; the SIMD variant finishes its remainder here. */
@inline export function adamTail(from: i32, n: i32, p: usize, g: usize, m: usize, v: usize, vmax: usize,
                                 beta1: f32, beta2: f32, eps: f32, stepSize: f32, bc2sqrt: f32,
                                 decay: f32, l2: f32, flags: i32): void {
  const ams = (flags & ADAM_AMSGRAD) != 0;
  const maximize = maximizes(flags);
  const c1: f32 = 1 - beta1;
  const c2: f32 = 1 - beta2;
  for (let i = from; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o) * decay;
    const gi = gradIn(load<f32>(g + o), pi, l2, maximize);
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

/** The single-tensor signature of f32_adam_scalar and f32_adam_wasmsimd. */
export type AdamStep = (n: i32, p: usize, g: usize, m: usize, v: usize, vmax: usize, beta1: f32, beta2: f32,
                        eps: f32, stepSize: f32, bc2sqrt: f32, decay: f32, l2: f32, flags: i32) => void;

/** Runs `step` over count records of six u32 [n, p, g, m, v, vmax] (byte pointers) at table. */
export function adamMulti(step: AdamStep, count: i32, table: usize, beta1: f32, beta2: f32, eps: f32,
                          stepSize: f32, bc2sqrt: f32, decay: f32, l2: f32, flags: i32): void {
  for (let t = 0; t < count; t++) {
    const r = table + <usize>t * 24;
    step(load<i32>(r), load<u32>(r, 4), load<u32>(r, 8), load<u32>(r, 12), load<u32>(r, 16), load<u32>(r, 20),
      beta1, beta2, eps, stepSize, bc2sqrt, decay, l2, flags);
  }
}
