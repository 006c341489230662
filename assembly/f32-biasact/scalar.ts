// f32 GEMM block epilogue, scalar reference: C[i, j] ← act(C[i, j] + bias[j]) over an mc×nc block.
// The f32 GEMM macro-kernels apply this epilogue as they store their last k block (bias and relu
// on full tiles in registers, edge tiles and gelu through f32_biasact_wasmsimd right after), so
// Linear(+ReLU/GELU) makes at most one pass over C instead of three.
import { epilogue1, ptrAt } from '../_lib/gemm-store';

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
      epilogue1(c + off, load<f32>(c + off), ptrAt(bias, <usize>j << 2), act, ptrAt(pre, off));
    }
  }
}
