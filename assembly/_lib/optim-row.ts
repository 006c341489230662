// The gradient prologue the fused optimizer kernels (assembly/f32-{sgd,adam,adagrad,rmsprop}) open
// every element update with: g ← (maximize ? −g : g) + wd·p, in a one-lane and a four-lane form
// that do the same f32 operations in the same order, so each kernel's SIMD body and its scalar
// twin stay bit-identical. Internal (the leading underscore keeps it out of the wasm exports).

/** Flag bit every kernel that takes `flags` gives the same meaning: ascend instead of descend. */
export const OPT_MAXIMIZE: i32 = 2;

@inline export function maximizes(flags: i32): bool {
  return (flags & OPT_MAXIMIZE) != 0;
}

/**
 * One element: (maximize ? −g : g) + wd·p. wd·p is added even when wd = 0, as the contracts say:
 * skipping it would change −0 gradients and p = ±Inf/NaN lanes.
 */
@inline export function gradIn(g: f32, p: f32, wd: f32, maximize: bool): f32 {
  return (maximize ? -g : g) + wd * p;
}

/** Four lanes of gradIn (wd splatted). */
@inline export function gradIn4(g: v128, p: v128, wd: v128, maximize: bool): v128 {
  return f32x4.add(maximize ? f32x4.neg(g) : g, f32x4.mul(wd, p));
}
