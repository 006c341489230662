// Wasm side of Backend.softmaxCrossEntropy: validates the views and calls the fused kernel
// (assembly/f32-softmaxce). Also used by the raw entry ts/kernels/softmaxce.ts on bare pointers.

import type { View } from '../backend.js';
import { check } from '../../errors.js';
import { KERNEL_F32_RELAXED, f32Kernel } from './gemm.js';
import type { WasmRuntime } from './runtime.js';
import { checkDType, viewPtr } from './storage.js';
import { isContiguous } from '../view.js';

/**
 * Runs the SIMD kernel on byte addresses (dlogits 0 = loss only). The relaxed-SIMD (FMA) variant
 * follows the GEMM's determinism switch (setDeterministic): plain SIMD, identical bits on every
 * machine, unless the user opted out.
 */
export function softmaxCrossEntropyPtr(rt: WasmRuntime, logits: number, labels: number, rows: number, cols: number,
  loss: number, dlogits: number, scale: number): void {
  const k = rt.exports;
  const relaxed = f32Kernel(rt) === KERNEL_F32_RELAXED && k.f32_softmaxce_wasmrelaxedsimd !== undefined;
  (relaxed ? k.f32_softmaxce_wasmrelaxedsimd! : k.f32_softmaxce_wasmsimd)(logits, labels, rows, cols, loss, dlogits, scale);
}

export function softmaxCrossEntropyWasm(rt: WasmRuntime, logits: View, labels: View, loss: View, dlogits: View | null, scale: number): void {
  checkDType(logits.storage.dtype, 'f32', 'softmaxCrossEntropy', 'logits');
  checkDType(labels.storage.dtype, 'i32', 'softmaxCrossEntropy', 'labels');
  checkDType(loss.storage.dtype, 'f32', 'softmaxCrossEntropy', 'loss');
  const [rows, cols] = logits.shape;
  const views = dlogits === null ? [logits, labels, loss] : [logits, labels, loss, dlogits];
  check(logits.shape.length === 2 && labels.shape.length === 1 && labels.shape[0] === rows && loss.shape[0] === rows
    && (dlogits === null || (dlogits.storage.dtype === 'f32' && dlogits.shape[0] === rows && dlogits.shape[1] === cols))
    && views.every(isContiguous), 'SHAPE_MISMATCH',
  () => `softmaxCrossEntropy: expected contiguous logits [rows, cols], labels/loss [rows] and dlogits [rows, cols], got logits [${logits.shape.join(', ')}]`);
  if (rows === 0 || cols === 0) return;
  softmaxCrossEntropyPtr(rt, viewPtr(logits, 'softmaxCrossEntropy'), viewPtr(labels, 'softmaxCrossEntropy'), rows, cols,
    viewPtr(loss, 'softmaxCrossEntropy'), dlogits === null ? 0 : viewPtr(dlogits, 'softmaxCrossEntropy'), scale);
}
