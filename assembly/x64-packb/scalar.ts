// f64 panel packer (layout in ../x32-packb/_pack.ts): scalar loads, 8-byte elements. f64 GEMM
// is "correct and reasonably fast"; its packing is O(mk + kn) against O(mnk) compute.
import { packScalar, MODE_SAME } from '../x32-packb/_pack';

/**
 * Packs n panel elements × kc f64 into ceil(n/w) zero-padded w-panels. src, dst: byte pointers
 * (dst 16-byte aligned); sp, sk: strides in ELEMENTS. Exact copy; not in place.
 */
export function x64_packb_scalar(w: i32, kc: i32, n: i32, src: usize, sp: i32, sk: i32, dst: usize): void {
  packScalar<f64, f64>(w, kc, n, src, sp, sk, dst, MODE_SAME);
}
