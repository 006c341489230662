// Linear: y = x·Wᵀ + b, with PyTorch's default init (kaiming_uniform a=√5 → U(±1/√in) weights,
// U(±1/√in) bias).

import type { Tensor } from '../../tensor.js';
import { linear } from '../functional/linear.js';
import { kaimingUniform, uniform } from '../init.js';
import { Module } from '../module.js';
import { type FactoryOptions, blank, bool, factory, positive } from './factory.js';

export interface LinearOptions extends FactoryOptions { bias?: boolean }

/**
 * Fully connected layer over the last dim.
 * @example const fc = new nn.Linear(784, 10); const y = fc.call(x);
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, opts?: LinearOptions) {
    super();
    const f = factory('Linear', opts, ['bias']);
    this.inFeatures = positive('Linear', 'inFeatures', inFeatures);
    this.outFeatures = positive('Linear', 'outFeatures', outFeatures);
    this.registerParameter('weight', kaimingUniform(blank([outFeatures, inFeatures], f), { a: Math.sqrt(5) }));
    const bound = 1 / Math.sqrt(inFeatures);
    this.registerParameter('bias', bool('Linear', 'bias', opts?.bias, true) ? uniform(blank([outFeatures], f), -bound, bound) : null);
  }

  get weight(): Tensor { return this.param('weight')!; }
  get bias(): Tensor | null { return this.param('bias'); }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
