// Reference twin of the fused softmax cross-entropy kernel (Backend.softmaxCrossEntropy): plain
// TypeScript in f64 through the backend's own read/write, the oracle the wasm kernel is tested against.

import type { Backend, View } from '../backend.js';
import { storageArray } from '../../dtype.js';

export function softmaxCrossEntropyRef(b: Backend, logits: View, labels: View, loss: View, dlogits: View | null, scale: number): void {
  const [rows, cols] = logits.shape;
  const x = b.read(logits);
  const y = b.read(labels);
  const dtype = logits.storage.dtype;
  const out = storageArray(dtype, rows);
  const grad = dlogits === null ? null : storageArray(dtype, rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > m || Number.isNaN(x[o + j])) m = x[o + j];
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[o + j] - m);
    const label = y[r];
    const valid = label >= 0 && label < cols;
    out[r] = valid ? m - x[o + label] + Math.log(s) : 0;
    if (grad === null) continue;
    for (let j = 0; j < cols; j++) grad[o + j] = valid ? scale * (Math.exp(x[o + j] - m) / s - (j === label ? 1 : 0)) : 0;
  }
  b.write(loss.storage, out, loss.offset);
  if (grad !== null && dlogits !== null) b.write(dlogits.storage, grad, dlogits.offset);
}
