// Host mirrors of small integer storages. The op layer validates index tensors on the host
// (dataSync) before any kernel runs, which a GPU cannot answer synchronously. Indices usually
// come from JS (labels) and pass through a few i32 ops (eq, where, copies) on their way to a
// gather; while every input of such an i32 op is known on the host, the op runs on the reference
// kernels instead and its result is uploaded, so the result stays known on the host too. i32
// arithmetic is exact, so the values are the ones the GPU kernel would give.

import type { Backend, View } from '../backend.js';
import type { StorageArray } from '../../dtype.js';
import { ReferenceBackend } from '../reference/index.js';
import { sizeOf } from '../view.js';

/** Largest i32 output computed on the host (elements). */
const HOST_MAX = 1 << 16;
const ref = new ReferenceBackend();

interface Mirrored { host: StorageArray | null; readonly size: number; readonly dtype: string }

const asRef = (v: View, data: StorageArray): View => ({
  storage: { device: 'reference', dtype: v.storage.dtype, size: data.length, bytes: data.byteLength, refs: 1, data } as never,
  offset: v.offset, shape: v.shape, strides: v.strides,
});

/**
 * Runs `kernel` on the reference device when `out` and every input are i32 and known on the host;
 * returns the new contents of out's storage, or null when the GPU must run it.
 */
export function onHost(inputs: View[], out: View, kernel: (b: Backend, ins: View[], out: View) => void): StorageArray | null {
  const o = out.storage as unknown as Mirrored;
  if (o.dtype !== 'i32' || o.size > HOST_MAX) return null;
  for (const v of inputs) {
    const s = v.storage as unknown as Mirrored;
    if (s.dtype !== 'i32' || s.host === null) return null;
  }
  const whole = out.offset === 0 && sizeOf(out.shape) === o.size;
  if (!whole && o.host === null) return null; // a partial write needs the rest of the storage
  const data = o.host ? o.host.slice() : new Int32Array(o.size);
  kernel(ref, inputs.map((v) => asRef(v, (v.storage as unknown as Mirrored).host!)), asRef(out, data));
  return data;
}
