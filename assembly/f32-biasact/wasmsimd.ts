// f32 GEMM block epilogue, SIMD128: C[i, j] ← act(C[i, j] + bias[j]); bit-identical to
// f32_biasact_scalar (./scalar.ts), which also finishes the columns past the last multiple of 4.
// The f32 macro-kernels apply the bias and relu part (epilogue4) to full tiles in registers, and
// call this on their edge tiles after storing them and for gelu over the whole block.
import { epilogue4, ptrAt } from '../_lib/gemm-store';
import { geluf32x4 } from '../_lib/geluf';
import { f32_biasact_scalar } from './scalar';

/** Same contract as f32_biasact_scalar. */
export function f32_biasact_wasmsimd(mc: i32, nc: i32, c: usize, ldc: i32, bias: usize, act: i32, pre: usize): void {
  const n4 = nc & ~3;
  for (let i = 0; i < mc; i++) {
    const rowOff = (<usize>i * <usize>ldc) << 2;
    for (let j = 0; j < n4; j += 4) {
      const off = rowOff + (<usize>j << 2);
      let x = epilogue4(v128.load(c + off), ptrAt(bias, <usize>j << 2), act == 1, ptrAt(pre, off));
      if (act == 2) x = geluf32x4(x);
      v128.store(c + off, x);
    }
  }
  const tail = <usize>n4 << 2;
  if (n4 < nc) f32_biasact_scalar(mc, nc - n4, c + tail, ldc, ptrAt(bias, tail), act, ptrAt(pre, tail));
}
