// f32 GEMM block epilogue, scalar reference: C[i, j] ← act(C[i, j] + bias[j]) over an mc×nc block.
// The f32 GEMM macro-kernels apply this epilogue as they store their last k block (bias and relu
// on full tiles in registers, edge tiles and gelu through f32_biasact_wasmsimd right after), so
// Linear(+ReLU/GELU) makes at most one pass over C instead of three.
import { geluF32 } from '../_lib/geluf';

/**
 * C[i, j] ← act(C[i, j] + bias[j]) for i < mc, j < nc; c: byte pointer, row stride ldc ELEMENTS;
 * bias: byte pointer to nc floats, or 0 for none; act: 0 none, 1 relu, 2 gelu (ACT_* in
 * ts/backend/wasm/gemm.ts); pre: byte pointer to a block laid out as C (row stride ldc) that
 * receives C + bias before the activation (gelu's backward needs it), or 0 for none.
 * relu is x < 0 ? 0 : x (NaN and -0 pass through) and gelu is geluF32, as the unary kernels, so
 * the result is bit-identical to add then the unary op.
 */
export function f32_biasact_scalar(mc: i32, nc: i32, c: usize, ldc: i32, bias: usize, act: i32, pre: usize): void {
  for (let i = 0; i < mc; i++) {
    const rowOff = (<usize>i * <usize>ldc) << 2;
    for (let j = 0; j < nc; j++) {
      const off = rowOff + (<usize>j << 2);
      let x = load<f32>(c + off);
      if (bias != 0) x += load<f32>(bias + (<usize>j << 2));
      if (pre != 0) store<f32>(pre + off, x);
      if (act == 1) x = x < 0 ? <f32>0.0 : x;
      else if (act == 2) x = geluF32(x);
      store<f32>(c + off, x);
    }
  }
}
