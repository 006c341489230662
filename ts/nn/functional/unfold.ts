// Sliding windows of a [N, C, H, W] batch as one indexSelect (im2col): the host computes, for each
// kernel offset and output position, the flat index of the input pixel it reads; positions in
// the padding read a sentinel element appended to each plane. One gather forward, one scatterAdd
// backward, and pooling with -Infinity padding comes for free.

import { check, fmtShape } from '../../errors.js';
import { full, tensor } from '../../ops/creation.js';
import { indexSelect } from '../../ops/indexing.js';
import { cat } from '../../ops/join.js';
import { reshape } from '../../ops/shape.js';
import type { Tensor } from '../../tensor.js';

export interface Window {
  kernel: [number, number];
  stride: [number, number];
  /** Padding before (top, left); `padEnd` (bottom, right) defaults to the same. */
  padding: [number, number];
  padEnd?: [number, number];
  dilation: [number, number];
  ceilMode?: boolean;
}

/** Output length along one axis (torch's pooling_output_shape; ceilMode off = conv's rule). */
export function outSize(n: number, k: number, s: number, p: number, d: number, ceilMode = false, pEnd = p): number {
  const span = n + p + pEnd - d * (k - 1) - 1;
  let out = Math.floor((span + (ceilMode ? s - 1 : 0)) / s) + 1;
  if (ceilMode && (out - 1) * s >= n + p) out--; // the last window must start inside input or left padding
  return out;
}

/** [Ho, Wo] of a window over an [.., H, W] input; a DescentError when the window does not fit. */
export function outShape(where: string, x: Tensor, w: Window): [number, number] {
  const [h, wd] = x.shape.slice(-2);
  const end = w.padEnd ?? w.padding;
  const ho = outSize(h, w.kernel[0], w.stride[0], w.padding[0], w.dilation[0], w.ceilMode, end[0]);
  const wo = outSize(wd, w.kernel[1], w.stride[1], w.padding[1], w.dilation[1], w.ceilMode, end[1]);
  check(ho > 0 && wo > 0, 'SHAPE_MISMATCH',
    () => `${where}: kernel ${fmtShape(w.kernel)} (dilation ${fmtShape(w.dilation)}, padding ${fmtShape(w.padding)}) does not fit input of shape ${fmtShape(x.shape)}`);
  return [ho, wo];
}

/** Flat input index per (kernel offset, output position); h·w marks padding. */
function windowIndex(h: number, wd: number, w: Window, ho: number, wo: number): { idx: Int32Array; padded: boolean } {
  const [kh, kw] = w.kernel;
  const idx = new Int32Array(kh * kw * ho * wo);
  let padded = false;
  let at = 0;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let oh = 0; oh < ho; oh++) {
        const r = oh * w.stride[0] - w.padding[0] + i * w.dilation[0];
        for (let ow = 0; ow < wo; ow++) {
          const c = ow * w.stride[1] - w.padding[1] + j * w.dilation[1];
          const inside = r >= 0 && r < h && c >= 0 && c < wd;
          padded ||= !inside;
          idx[at++] = inside ? r * wd + c : h * wd;
        }
      }
    }
  }
  return { idx, padded };
}

/**
 * Windows of x [N, C, H, W] as [N, C, kh·kw, Ho·Wo]; padding reads `padValue`.
 * The caller has validated x's rank and the window's fit (outShape).
 */
export function windows(x: Tensor, w: Window, padValue: number): Tensor {
  const [n, c, h, wd] = x.shape;
  const [ho, wo] = outShape('unfold', x, w);
  const { idx, padded } = windowIndex(h, wd, w, ho, wo);
  const planes = reshape(x, [n, c, h * wd]);
  const src = padded ? cat([planes, full([n, c, 1], padValue, { dtype: x.dtype, device: x.device })], 2) : planes;
  const picked = indexSelect(src, 2, tensor(idx, { dtype: 'i32', device: x.device }));
  return reshape(picked, [n, c, w.kernel[0] * w.kernel[1], ho * wo]);
}
