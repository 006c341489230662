// f32 GEMM block epilogue, SIMD128: C[i, j] ← act(C[i, j] + bias[j]); bit-identical to
// f32_biasact_scalar (./scalar.ts), which also finishes the columns past the last multiple of 4.
import { geluf32x4 } from '../_lib/geluf';
import { f32_biasact_scalar } from './scalar';

/** Same contract as f32_biasact_scalar. */
export function f32_biasact_wasmsimd(mc: i32, nc: i32, c: usize, ldc: i32, bias: usize, act: i32, pre: usize): void {
  const n4 = nc & ~3, zero = f32x4.splat(0);
  for (let i = 0; i < mc; i++) {
    const rowOff = (<usize>i * <usize>ldc) << 2;
    for (let j = 0; j < n4; j += 4) {
      const off = rowOff + (<usize>j << 2);
      let x = v128.load(c + off);
      if (bias != 0) x = f32x4.add(x, v128.load(bias + (<usize>j << 2)));
      if (pre != 0) v128.store(pre + off, x);
      // x < 0 → 0; NaN (compares false) and -0 (not < 0) pass through, as the scalar code
      if (act == 1) x = v128.bitselect(zero, x, f32x4.lt(x, zero));
      else if (act == 2) x = geluf32x4(x);
      v128.store(c + off, x);
    }
  }
  const tail = <usize>n4 << 2;
  if (n4 < nc) f32_biasact_scalar(mc, nc - n4, c + tail, ldc, bias == 0 ? 0 : bias + tail, act, pre == 0 ? 0 : pre + tail);
}
