// SIMD128 f32 panel packer (layout in ./_pack.ts, fast paths in ./_packsimd.ts).
import { packSimd } from './_packsimd';
import { MODE_SAME } from './_pack';

/**
 * Same contract as x32_packb_scalar, identical output: n panel elements × kc into ceil(n/w)
 * zero-padded w-panels; src byte pointer, sp/sk strides in ELEMENTS, dst 16-byte aligned.
 * Fast when w is a multiple of 4 and sp = 1 or sk = 1.
 */
export function x32_packb_wasmsimd(w: i32, kc: i32, n: i32, src: usize, sp: i32, sk: i32, dst: usize): void {
  packSimd<f32>(w, kc, n, src, sp, sk, dst, MODE_SAME);
}
