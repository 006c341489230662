// conv2d as im2col on the GEMM: windows() lays the input out as [N, C·kh·kw, L] columns and one
// batched matmul per group applies the filters. Cross-correlation, as torch.nn.functional.conv2d.

import { castLow, lowPrecisionOp } from '../../amp/autocast.js';
import { check, checkOptions, fmtShape } from '../../errors.js';
import { add } from '../../ops/elementwise.js';
import { matmul } from '../../ops/linalg.js';
import { reshape, squeeze, unsqueeze } from '../../ops/shape.js';
import { assertTensor } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { type Window, outShape, windows } from './unfold.js';
import { type Pair, checkInput, composite, int, pair } from './util.js';

export type ConvPadding = Pair | 'valid' | 'same';
export interface Conv2dOptions { stride?: Pair; padding?: ConvPadding; dilation?: Pair; groups?: number }

/**
 * The conv window for `padding`: numbers, 'valid' (none) or 'same' (output size = input size,
 * stride 1 only; an odd total goes to the bottom/right, as torch).
 */
export function convWindow(where: string, kernel: [number, number], opts: Omit<Conv2dOptions, 'groups'> | undefined): Window {
  const stride = pair(where, 'stride', opts?.stride ?? 1, 1);
  const dilation = pair(where, 'dilation', opts?.dilation ?? 1, 1);
  const p = opts?.padding ?? 0;
  if (p !== 'same') return { kernel, stride, dilation, padding: pair(where, 'padding', p === 'valid' ? 0 : p, 0) };
  check(stride[0] === 1 && stride[1] === 1, 'BAD_OPTION', () => `${where}: padding 'same' needs stride 1, got ${fmtShape(stride)}`);
  const total = [0, 1].map((a) => dilation[a] * (kernel[a] - 1));
  const before: [number, number] = [Math.floor(total[0] / 2), Math.floor(total[1] / 2)];
  return { kernel, stride, dilation, padding: before, padEnd: [total[0] - before[0], total[1] - before[1]] };
}

function checkWeights(x: Tensor, weight: Tensor, bias: Tensor | null, groups: number): void {
  assertTensor(weight, 'conv2d', 'weight');
  check(weight.ndim === 4, 'SHAPE_MISMATCH', () => `conv2d: expected a 4-d weight [out, in/groups, kh, kw], got ${fmtShape(weight.shape)}`);
  const [o, cg] = weight.shape;
  const c = x.shape[x.ndim - 3];
  check(c === cg * groups, 'SHAPE_MISMATCH',
    () => `conv2d: expected input with ${cg * groups} channels (weight ${fmtShape(weight.shape)}, groups ${groups}), got input of shape ${fmtShape(x.shape)} with ${c} channels`);
  check(o % groups === 0, 'SHAPE_MISMATCH', () => `conv2d: out channels ${o} must be divisible by groups ${groups}`);
  if (bias !== null) {
    assertTensor(bias, 'conv2d', 'bias');
    check(bias.ndim === 1 && bias.shape[0] === o, 'SHAPE_MISMATCH', () => `conv2d: expected bias of shape [${o}], got ${fmtShape(bias.shape)}`);
  }
}

/**
 * 2-d convolution of x [N, C, H, W] (or unbatched [C, H, W]) with weight [O, C/groups, kh, kw];
 * padding is a number, a pair, 'valid' or 'same'.
 * @example nn.functional.conv2d(x, w, b, { stride: 2, padding: 1 })
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts?: Conv2dOptions): Tensor {
  checkOptions('conv2d', opts, ['stride', 'padding', 'dilation', 'groups']);
  checkInput('conv2d', x, [3, 4], 'a [N, C, H, W] or [C, H, W] input');
  const groups = int('conv2d', 'groups', opts?.groups ?? 1, 1);
  checkWeights(x, weight, bias, groups);
  const [o, cg, kh, kw] = weight.shape;
  const win = convWindow('conv2d', [kh, kw], opts);
  const [ho, wo] = outShape('conv2d', x, win);
  return composite(() => lowPrecisionOp(() => {
    const xb = x.ndim === 3 ? unsqueeze(x, 0) : x;
    const n = xb.shape[0];
    const cols = reshape(windows(xb, win, 0), [n, groups, cg * kh * kw, ho * wo]);
    const filters = reshape(castLow(weight), [groups, o / groups, cg * kh * kw]);
    let y = reshape(matmul(filters, cols), [n, o, ho, wo]);
    if (bias !== null) y = add(y, reshape(castLow(bias), [o, 1, 1]));
    return x.ndim === 3 ? squeeze(y, 0) : y;
  }));
}

export interface UnfoldOptions { stride?: Pair; padding?: Pair; dilation?: Pair }

/** Sliding local blocks of x [N, C, H, W] as [N, C·kh·kw, L] (torch.nn.functional.unfold). */
export function unfold(x: Tensor, kernelSize: Pair, opts?: UnfoldOptions): Tensor {
  checkOptions('unfold', opts, ['stride', 'padding', 'dilation']);
  checkInput('unfold', x, [4], 'a [N, C, H, W] input');
  const win: Window = {
    kernel: pair('unfold', 'kernelSize', kernelSize, 1),
    stride: pair('unfold', 'stride', opts?.stride ?? 1, 1),
    padding: pair('unfold', 'padding', opts?.padding ?? 0, 0),
    dilation: pair('unfold', 'dilation', opts?.dilation ?? 1, 1),
  };
  const [ho, wo] = outShape('unfold', x, win);
  const [n, c] = x.shape;
  return composite(() => reshape(windows(x, win, 0), [n, c * win.kernel[0] * win.kernel[1], ho * wo]));
}
