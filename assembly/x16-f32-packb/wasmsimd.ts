// SIMD128 half → f32 widening panel packers (layout in ../x32-packb/_pack.ts, fast paths in
// ../x32-packb/_packsimd.ts): bf16 widens by a shift, f16 by an exact bit-level conversion.
import { packSimd } from '../x32-packb/_packsimd';
import { MODE_BF16, MODE_F16 } from '../x32-packb/_pack';

/** Same contract and output as bf16_f32_packb_scalar (src: bf16 bits, 2-byte aligned). */
export function bf16_f32_packb_wasmsimd(w: i32, kc: i32, n: i32, src: usize, sp: i32, sk: i32, dst: usize): void {
  packSimd<u16>(w, kc, n, src, sp, sk, dst, MODE_BF16);
}

/** Same contract and output as f16_f32_packb_scalar (src: IEEE binary16 bits, 2-byte aligned). */
export function f16_f32_packb_wasmsimd(w: i32, kc: i32, n: i32, src: usize, sp: i32, sk: i32, dst: usize): void {
  packSimd<u16>(w, kc, n, src, sp, sk, dst, MODE_F16);
}
