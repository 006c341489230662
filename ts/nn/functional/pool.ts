// maxPool2d and avgPool2d over windows() (torch semantics: stride defaults to the kernel,
// padding ≤ kernel/2, ceilMode; max picks the first maximum of a window, so its gradient goes to
// one element as in torch; avg divides by the padded window size unless countIncludePad is off).

import { check, checkOptions, fmtShape } from '../../errors.js';
import { noGrad } from '../../autograd/tape.js';
import { tensor } from '../../ops/creation.js';
import { div } from '../../ops/elementwise.js';
import { gather } from '../../ops/indexing.js';
import { argmax, sum } from '../../ops/reduce.js';
import { reshape, squeeze, unsqueeze } from '../../ops/shape.js';
import type { Tensor } from '../../tensor.js';
import { type Window, outShape, windows } from './unfold.js';
import { type Pair, checkInput, composite, int, pair } from './util.js';

export interface MaxPool2dOptions { stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean }
export interface AvgPool2dOptions { stride?: Pair | null; padding?: Pair; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }

/** Validates kernel, stride, padding (≤ kernel/2), dilation and ceilMode; the pool layers call it at construction. */
export function poolWindow(where: string, kernelSize: Pair, o: MaxPool2dOptions | undefined): Window {
  const kernel = pair(where, 'kernelSize', kernelSize, 1);
  const padding = pair(where, 'padding', o?.padding ?? 0, 0);
  check(padding[0] * 2 <= kernel[0] && padding[1] * 2 <= kernel[1], 'BAD_OPTION',
    () => `${where}: padding ${fmtShape(padding)} must be at most half the kernel ${fmtShape(kernel)}`);
  const ceilMode = o?.ceilMode ?? false;
  check(typeof ceilMode === 'boolean', 'BAD_OPTION', () => `${where}: ceilMode must be a boolean, got ${String(ceilMode)}`);
  return {
    kernel,
    stride: o?.stride == null ? kernel : pair(where, 'stride', o.stride, 1),
    padding,
    dilation: pair(where, 'dilation', o?.dilation ?? 1, 1),
    ceilMode,
  };
}

/** Runs a pooling body on a batched [N, C, H, W] view of x (3-d input gets a batch of one). */
function pooled(x: Tensor, body: (xb: Tensor) => Tensor): Tensor {
  return composite(() => {
    const xb = x.ndim === 3 ? unsqueeze(x, 0) : x;
    const y = body(xb);
    return x.ndim === 3 ? squeeze(y, 0) : y;
  });
}

/** Max over kh×kw windows of x [N, C, H, W] or [C, H, W]; padding counts as -Infinity. */
export function maxPool2d(x: Tensor, kernelSize: Pair, opts?: MaxPool2dOptions): Tensor {
  checkOptions('maxPool2d', opts, ['stride', 'padding', 'dilation', 'ceilMode']);
  checkInput('maxPool2d', x, [3, 4], 'a [N, C, H, W] or [C, H, W] input');
  const win = poolWindow('maxPool2d', kernelSize, opts);
  const [ho, wo] = outShape('maxPool2d', x, win);
  return pooled(x, (xb) => {
    const [n, c] = xb.shape;
    const w = windows(xb, win, -Infinity);
    const at = noGrad(() => argmax(w, 2, { keepdim: true }));
    return reshape(gather(w, 2, at), [n, c, ho, wo]);
  });
}

/** Per-window divisors (torch's avg_pool2d rule), or one number when they are all equal. */
function divisors(h: number, wd: number, win: Window, ho: number, wo: number, includePad: boolean): number | Float64Array {
  const out = new Float64Array(ho * wo);
  const axis = (o: number, a: 0 | 1, n: number): [number, number] => {
    const start = o * win.stride[a] - win.padding[a];
    const end = Math.min(start + win.kernel[a], n + win.padding[a]);
    return includePad ? [start, end] : [Math.max(start, 0), Math.min(end, n)];
  };
  for (let i = 0; i < ho; i++) {
    const [r0, r1] = axis(i, 0, h);
    for (let j = 0; j < wo; j++) {
      const [c0, c1] = axis(j, 1, wd);
      out[i * wo + j] = (r1 - r0) * (c1 - c0);
    }
  }
  return out.every((v) => v === out[0]) ? out[0] : out;
}

/** avgPool2d's own options: divisorOverride (an integer ≥ 1 or null) and countIncludePad (a boolean, default true). */
export function avgPoolExtras(where: string, opts: AvgPool2dOptions | undefined): { override: number | null; includePad: boolean } {
  const override = opts?.divisorOverride ?? null;
  if (override !== null) int(where, 'divisorOverride', override, 1);
  const includePad = opts?.countIncludePad ?? true;
  check(typeof includePad === 'boolean', 'BAD_OPTION', () => `${where}: countIncludePad must be a boolean, got ${String(includePad)}`);
  return { override, includePad };
}

/** Mean over kh×kw windows of x [N, C, H, W] or [C, H, W] (padding counts as 0). */
export function avgPool2d(x: Tensor, kernelSize: Pair, opts?: AvgPool2dOptions): Tensor {
  checkOptions('avgPool2d', opts, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
  checkInput('avgPool2d', x, [3, 4], 'a [N, C, H, W] or [C, H, W] input');
  const win = poolWindow('avgPool2d', kernelSize, { stride: opts?.stride, padding: opts?.padding, ceilMode: opts?.ceilMode });
  const { override, includePad } = avgPoolExtras('avgPool2d', opts);
  const [ho, wo] = outShape('avgPool2d', x, win);
  const [h, wd] = x.shape.slice(-2);
  const div0 = override ?? divisors(h, wd, win, ho, wo, includePad);
  return pooled(x, (xb) => {
    const [n, c] = xb.shape;
    const s = sum(windows(xb, win, 0), 2);
    const d = typeof div0 === 'number' ? div0 : tensor(div0, { dtype: x.dtype, device: x.device });
    return reshape(div(s, d), [n, c, ho, wo]);
  });
}
