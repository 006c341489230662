// The per-element update of f32-sgd shared by scalar.ts and the SIMD remainder (internal: the
// leading underscore keeps it out of the wasm exports).

export const SGD_NESTEROV: i32 = 1;
export const SGD_MAXIMIZE: i32 = 2;
/** The momentum buffer is fresh: it becomes a copy of g (no dampening), as in PyTorch. */
export const SGD_FIRST: i32 = 4;

@inline export function sgdTail(from: i32, n: i32, p: usize, g: usize, buf: usize, lr: f32, momentum: f32,
                                dampening: f32, wd: f32, flags: i32): void {
  const nesterov = (flags & SGD_NESTEROV) != 0;
  const maximize = (flags & SGD_MAXIMIZE) != 0;
  const first = (flags & SGD_FIRST) != 0;
  const damp: f32 = 1 - dampening;
  for (let i = from; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o);
    if (maximize) gi = -gi;
    gi = gi + wd * pi;
    if (momentum != 0) {
      const b = first ? gi : load<f32>(buf + o) * momentum + gi * damp;
      store<f32>(buf + o, b);
      gi = nesterov ? gi + momentum * b : b;
    }
    store<f32>(p + o, pi - lr * gi);
  }
}
