// Conv2d with PyTorch's default init: kaiming_uniform(a=√5) over fanIn = in/groups·kh·kw, bias
// U(±1/√fanIn).

import { check } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { type ConvPadding, conv2d, convWindow } from '../functional/conv.js';
import { type Pair, pair } from '../functional/util.js';
import { kaimingUniform, uniform } from '../init.js';
import { Module } from '../module.js';
import { type FactoryOptions, blank, bool, factory, positive } from './factory.js';

export interface Conv2dLayerOptions extends FactoryOptions {
  stride?: Pair; padding?: ConvPadding; dilation?: Pair; groups?: number; bias?: boolean;
}

/**
 * 2-d convolution layer over [N, C, H, W].
 * @example const conv = new nn.Conv2d(3, 16, 3, { padding: 1 });
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: ConvPadding;
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, opts?: Conv2dLayerOptions) {
    super();
    const f = factory('Conv2d', opts, ['stride', 'padding', 'dilation', 'groups', 'bias']);
    this.inChannels = positive('Conv2d', 'inChannels', inChannels);
    this.outChannels = positive('Conv2d', 'outChannels', outChannels);
    this.kernelSize = pair('Conv2d', 'kernelSize', kernelSize, 1);
    const win = convWindow('Conv2d', this.kernelSize, opts); // validates stride/padding/dilation now
    this.stride = win.stride;
    this.padding = typeof opts?.padding === 'string' ? opts.padding : win.padding;
    this.dilation = win.dilation;
    this.groups = positive('Conv2d', 'groups', opts?.groups ?? 1);
    check(inChannels % this.groups === 0 && outChannels % this.groups === 0, 'BAD_OPTION',
      () => `Conv2d: inChannels ${inChannels} and outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    const w = blank([outChannels, inChannels / this.groups, ...this.kernelSize], f);
    this.registerParameter('weight', kaimingUniform(w, { a: Math.sqrt(5) }));
    const bound = 1 / Math.sqrt((inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1]);
    this.registerParameter('bias', bool('Conv2d', 'bias', opts?.bias, true) ? uniform(blank([outChannels], f), -bound, bound) : null);
  }

  get weight(): Tensor { return this.param('weight')!; }
  get bias(): Tensor | null { return this.param('bias'); }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}], dilation=[${this.dilation}], groups=${this.groups}`;
  }
}
