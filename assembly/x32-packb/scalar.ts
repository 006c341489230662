// Scalar f32 panel packer: ground truth for x32_packb_wasmsimd (layout in ./_pack.ts).
import { packScalar, MODE_SAME } from './_pack';

/**
 * Packs n panel elements (rows of A or columns of B) × kc into ceil(n/w) zero-padded w-panels.
 * src: byte pointer; sp, sk: strides in ELEMENTS along the panel and along k (any ≥ 0).
 * dst: byte pointer, 16-byte aligned, ceil(n/w)·kc·w floats. Exact copy; not in place.
 */
export function x32_packb_scalar(w: i32, kc: i32, n: i32, src: usize, sp: i32, sk: i32, dst: usize): void {
  packScalar<f32, f32>(w, kc, n, src, sp, sk, dst, MODE_SAME);
}
