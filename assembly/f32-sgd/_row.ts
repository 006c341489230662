// The per-element update of f32-sgd shared by scalar.ts and the SIMD remainder, and the
// multi-tensor loop both variants' multi entries run (internal: the leading underscore keeps it
// out of the wasm exports).
import { gradIn, maximizes } from '../_lib/optim-row';

// flags: SGD_NESTEROV, OPT_MAXIMIZE (= 2, _lib/optim-row.ts), SGD_FIRST.
export const SGD_NESTEROV: i32 = 1;
/** The momentum buffer is fresh: it becomes a copy of g (no dampening), as in PyTorch. */
export const SGD_FIRST: i32 = 4;

@inline export function sgdTail(from: i32, n: i32, p: usize, g: usize, buf: usize, lr: f32, momentum: f32,
                                dampening: f32, wd: f32, flags: i32): void {
  const nesterov = (flags & SGD_NESTEROV) != 0;
  const first = (flags & SGD_FIRST) != 0;
  const maximize = maximizes(flags);
  const damp: f32 = 1 - dampening;
  for (let i = from; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = gradIn(load<f32>(g + o), pi, wd, maximize);
    if (momentum != 0) {
      const b = first ? gi : load<f32>(buf + o) * momentum + gi * damp;
      store<f32>(buf + o, b);
      gi = nesterov ? gi + momentum * b : b;
    }
    store<f32>(p + o, pi - lr * gi);
  }
}

/** The single-tensor signature of f32_sgd_scalar and f32_sgd_wasmsimd. */
export type SgdStep = (n: i32, p: usize, g: usize, buf: usize, lr: f32, momentum: f32, dampening: f32,
                       wd: f32, flags: i32) => void;

/** Runs `step` over count records of four u32 [n, p, g, buf] (byte pointers) at table. */
export function sgdMulti(step: SgdStep, count: i32, table: usize, lr: f32, momentum: f32, dampening: f32,
                         wd: f32, flags: i32): void {
  for (let t = 0; t < count; t++) {
    const r = table + <usize>t * 16;
    step(load<i32>(r), load<u32>(r, 4), load<u32>(r, 8), load<u32>(r, 12), lr, momentum, dampening, wd, flags);
  }
}
