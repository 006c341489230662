// Raw entry point of the fused softmax cross-entropy kernel for kernel users: plain typed arrays
// in and out, no tensors, no autograd. Copies into the wasm memory, runs
// assembly/f32-softmaxce (SIMD) and copies the results back. Needs `await init()` (wasm).

import { check } from '../errors.js';
import { softmaxCrossEntropyPtr, wasmRuntime, withBlocks } from '../backend/wasm/raw.js';
import { describe } from '../ops/util.js';

export interface SoftmaxCrossEntropyResult {
  /** Per-row loss logsumexp(row) − row[label], length rows. */
  loss: Float32Array;
  /** softmax(row) − onehot(label), row-major [rows, cols]. */
  dlogits: Float32Array;
}

/**
 * Fused softmax cross-entropy over row-major logits [rows, cols] with one class label per row,
 * in one pass per row (max, log-sum-exp, loss and gradient).
 * @example const { loss, dlogits } = d.kernels.softmaxCrossEntropy(logits, labels, 64, 10);
 */
export function softmaxCrossEntropy(logits: Float32Array, labels: Int32Array, rows: number, cols: number): SoftmaxCrossEntropyResult {
  const where = 'kernels.softmaxCrossEntropy';
  check(Number.isInteger(rows) && rows >= 0 && Number.isInteger(cols) && cols >= 1, 'BAD_ARGUMENT',
    () => `${where}: expected rows ≥ 0 and cols ≥ 1 (integers), got rows ${describe(rows)}, cols ${describe(cols)}`);
  check(logits instanceof Float32Array && logits.length === rows * cols, 'BAD_ARGUMENT',
    () => `${where}: expected logits to be a Float32Array of rows·cols = ${rows * cols} elements, got ${logits instanceof Float32Array ? `${logits.length} elements` : describe(logits)}`);
  check(labels instanceof Int32Array && labels.length === rows, 'BAD_ARGUMENT',
    () => `${where}: expected labels to be an Int32Array of ${rows} elements, got ${labels instanceof Int32Array ? `${labels.length} elements` : describe(labels)}`);
  for (let r = 0; r < rows; r++) {
    check(labels[r] >= 0 && labels[r] < cols, 'INDEX_OUT_OF_RANGE',
      () => `${where}: label ${labels[r]} of row ${r} is out of range for ${cols} classes (expected 0..${cols - 1})`);
  }
  const rt = wasmRuntime(where);
  const n = rows * cols;
  return withBlocks(rt, [n * 4, rows * 4, rows * 4, n * 4], ([pX, pY, pL, pD]) => {
    rt.views.f32(pX, n).set(logits);
    rt.views.i32(pY, rows).set(labels);
    if (rows > 0) softmaxCrossEntropyPtr(rt, pX, pY, rows, cols, pL, pD, 1);
    return { loss: rt.views.f32(pL, rows).slice(), dlogits: rt.views.f32(pD, n).slice() };
  });
}
