// The per-element update of f32-rmsprop shared by scalar.ts and the SIMD remainder, and the
// multi-tensor loop both variants' multi entries run (internal: the leading underscore keeps it
// out of the wasm exports).
import { gradIn, maximizes } from '../_lib/optim-row';

// flags: RMSPROP_CENTERED, OPT_MAXIMIZE (= 2, _lib/optim-row.ts).
export const RMSPROP_CENTERED: i32 = 1;

@inline export function rmspropTail(from: i32, n: i32, p: usize, g: usize, v: usize, gavg: usize, buf: usize,
                                    lr: f32, alpha: f32, eps: f32, wd: f32, momentum: f32, flags: i32): void {
  const centered = (flags & RMSPROP_CENTERED) != 0;
  const maximize = maximizes(flags);
  const ca: f32 = 1 - alpha;
  for (let i = from; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    const gi = gradIn(load<f32>(g + o), pi, wd, maximize);
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

/** The single-tensor signature of f32_rmsprop_scalar and f32_rmsprop_wasmsimd. */
export type RmspropStep = (n: i32, p: usize, g: usize, v: usize, gavg: usize, buf: usize, lr: f32, alpha: f32,
                           eps: f32, wd: f32, momentum: f32, flags: i32) => void;

/** Runs `step` over count records of six u32 [n, p, g, v, gavg, buf] (byte pointers) at table. */
export function rmspropMulti(step: RmspropStep, count: i32, table: usize, lr: f32, alpha: f32, eps: f32, wd: f32,
                             momentum: f32, flags: i32): void {
  for (let t = 0; t < count; t++) {
    const r = table + <usize>t * 24;
    step(load<i32>(r), load<u32>(r, 4), load<u32>(r, 8), load<u32>(r, 12), load<u32>(r, 16), load<u32>(r, 20),
      lr, alpha, eps, wd, momentum, flags);
  }
}
