// xx-vcopy, portable scalar loop: the readable ground truth for this family (see assembly/_lib/convert.ts).
import { convertND } from '../_lib/convert';

/**
 * dst[i] = convert(src[i]) between dtype codes T_* (f64, f32, f16, bf16, i32; _lib/ops.ts), N-d
 * strided (META operands src, dst; elements). Halves are raw u16 bits. Rounding: RNE for f32/f16/
 * bf16 (bit-exact with ts/dtype.ts), i32 truncates toward zero, saturating (±Inf too; NaN → 0). dst must not overlap src.
 */
export function xx_vcopy_scalar(srcType: i32, dstType: i32, meta: usize, src: usize, dst: usize): void {
  convertND(srcType, dstType, meta, src, dst);
}
