// f32 GEMM block epilogue, scalar reference: C[i, j] ← act(C[i, j] + bias[j]) over an mc×nc block.
// The GEMM driver runs it on each C block right after that block's last k step, while the block
// is still in L1/L2, so Linear(+ReLU) makes one pass over C instead of three.

/**
 * C[i, j] ← act(C[i, j] + bias[j]) for i < mc, j < nc; c: byte pointer, row stride ldc ELEMENTS;
 * bias: byte pointer to nc floats, or 0 for none; act: 0 none, 1 relu (ACT_* in
 * ts/backend/wasm/gemm.ts). relu is x < 0 ? 0 : x (NaN and -0 pass through),
 * the same as the unary relu kernel, so the result is bit-identical to add then relu.
 */
export function f32_biasact_scalar(mc: i32, nc: i32, c: usize, ldc: i32, bias: usize, act: i32): void {
  for (let i = 0; i < mc; i++) {
    const row = c + ((<usize>i * <usize>ldc) << 2);
    for (let j = 0; j < nc; j++) {
      const p = row + (<usize>j << 2);
      let x = load<f32>(p);
      if (bias != 0) x += load<f32>(bias + (<usize>j << 2));
      if (act == 1) x = x < 0 ? <f32>0.0 : x;
      store<f32>(p, x);
    }
  }
}
