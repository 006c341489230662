// Pooling layers: thin modules over functional maxPool2d/avgPool2d (option names and values
// validated at construction, as Conv2d does, so a bad layer fails where it is built).

import { checkOptions } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { type AvgPool2dOptions, type MaxPool2dOptions, avgPool2d, avgPoolExtras, maxPool2d, poolWindow } from '../functional/pool.js';
import { type Pair, pair } from '../functional/util.js';
import { Module } from '../module.js';

/** @example new nn.MaxPool2d(2) // halves H and W */
export class MaxPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly opts: MaxPool2dOptions;

  constructor(kernelSize: Pair, opts: MaxPool2dOptions = {}) {
    super();
    checkOptions('MaxPool2d', opts, ['stride', 'padding', 'dilation', 'ceilMode']);
    this.kernelSize = pair('MaxPool2d', 'kernelSize', kernelSize, 1);
    poolWindow('MaxPool2d', kernelSize, opts);
    this.opts = { ...opts };
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.opts);
  }

  override extraRepr(): string {
    return `kernelSize=[${this.kernelSize}], ${JSON.stringify(this.opts)}`;
  }
}

/** @example new nn.AvgPool2d(2, { stride: 2, padding: 1 }) */
export class AvgPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly opts: AvgPool2dOptions;

  constructor(kernelSize: Pair, opts: AvgPool2dOptions = {}) {
    super();
    checkOptions('AvgPool2d', opts, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
    this.kernelSize = pair('AvgPool2d', 'kernelSize', kernelSize, 1);
    poolWindow('AvgPool2d', kernelSize, { stride: opts.stride, padding: opts.padding, ceilMode: opts.ceilMode });
    avgPoolExtras('AvgPool2d', opts);
    this.opts = { ...opts };
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }

  override extraRepr(): string {
    return `kernelSize=[${this.kernelSize}], ${JSON.stringify(this.opts)}`;
  }
}
