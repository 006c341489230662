// The per-element update of f32-adagrad shared by scalar.ts and the SIMD remainder, and the
// multi-tensor loop both variants' multi entries run (internal: the leading underscore keeps it
// out of the wasm exports). flags: OPT_MAXIMIZE (= 2, _lib/optim-row.ts).
import { gradIn, maximizes } from '../_lib/optim-row';

@inline export function adagradTail(from: i32, n: i32, p: usize, g: usize, sum: usize, clr: f32, eps: f32,
                                    wd: f32, flags: i32): void {
  const maximize = maximizes(flags);
  for (let i = from; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    const gi = gradIn(load<f32>(g + o), pi, wd, maximize);
    const s = load<f32>(sum + o) + gi * gi;
    store<f32>(sum + o, s);
    store<f32>(p + o, pi - clr * (gi / (Mathf.sqrt(s) + eps)));
  }
}

/** The single-tensor signature of f32_adagrad_scalar and f32_adagrad_wasmsimd. */
export type AdagradStep = (n: i32, p: usize, g: usize, sum: usize, clr: f32, eps: f32, wd: f32, flags: i32) => void;

/** Runs `step` over count records of four u32 [n, p, g, sum] (byte pointers) at table. */
export function adagradMulti(step: AdagradStep, count: i32, table: usize, clr: f32, eps: f32, wd: f32, flags: i32): void {
  for (let t = 0; t < count; t++) {
    const r = table + <usize>t * 16;
    step(load<i32>(r), load<u32>(r, 4), load<u32>(r, 8), load<u32>(r, 12), clr, eps, wd, flags);
  }
}
