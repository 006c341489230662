// Half-precision operand packers: bf16 or f16 storage widened to f32 while packing, so the f32
// GEMM micro-kernels run unchanged on low-precision operands (f32 accumulation).
import { packScalar, MODE_BF16, MODE_F16 } from '../x32-packb/_pack';

/**
 * Like x32_packb_scalar but src holds bf16 bits (u16); widening is exact. src: byte pointer
 * (2-byte aligned), sp/sk in ELEMENTS; dst: f32 panels, 16-byte aligned.
 */
export function bf16_f32_packb_scalar(w: i32, kc: i32, n: i32, src: usize, sp: i32, sk: i32, dst: usize): void {
  packScalar<u16, f32>(w, kc, n, src, sp, sk, dst, MODE_BF16);
}

/** Like bf16_f32_packb_scalar for IEEE binary16 bits (subnormals, Inf, NaN exact). */
export function f16_f32_packb_scalar(w: i32, kc: i32, n: i32, src: usize, sp: i32, sk: i32, dst: usize): void {
  packScalar<u16, f32>(w, kc, n, src, sp, sk, dst, MODE_F16);
}
