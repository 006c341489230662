// TransformerBlock: a pre-LN decoder block (GPT-2 style, Radford et al. 2019): causal
// self-attention and a GELU MLP, each behind LayerNorm and a residual. Child names match torch's
// TransformerEncoderLayer(norm_first=True, activation='gelu'), whose weights load directly.

import { checkOptions } from '../../errors.js';
import { add } from '../../ops/elementwise.js';
import type { Tensor } from '../../tensor.js';
import { dropout } from '../functional/dropout.js';
import { gelu } from '../../ops/elementwise.js';
import { composite, prob } from '../functional/util.js';
import { Module } from '../module.js';
import { MultiheadAttention } from './attention.js';
import { type FactoryOptions, bool, factory, positive } from './factory.js';
import { Linear } from './linear.js';
import { LayerNorm } from './norm.js';

export interface TransformerBlockOptions extends FactoryOptions {
  dimFeedforward?: number; dropout?: number; layerNormEps?: number; batchFirst?: boolean;
}

/**
 * x + attn(ln1(x)) then x + mlp(ln2(x)), causal by default. Input [N, L, E] (batchFirst, the
 * default here) or [L, N, E].
 * @example const block = new nn.TransformerBlock(64, 4); const y = block.call(x) // x [N, L, 64]
 */
export class TransformerBlock extends Module<[Tensor, { isCausal?: boolean }?]> {
  readonly dModel: number;
  readonly dropout: number;
  readonly selfAttn: MultiheadAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;

  constructor(dModel: number, nHead: number, opts?: TransformerBlockOptions) {
    super();
    const f = factory('TransformerBlock', opts, ['dimFeedforward', 'dropout', 'layerNormEps', 'batchFirst']);
    this.dModel = positive('TransformerBlock', 'dModel', dModel);
    const ff = positive('TransformerBlock', 'dimFeedforward', opts?.dimFeedforward ?? 4 * dModel);
    this.dropout = prob('TransformerBlock', 'dropout', opts?.dropout ?? 0);
    const batchFirst = bool('TransformerBlock', 'batchFirst', opts?.batchFirst, true);
    const eps = opts?.layerNormEps ?? 1e-5;
    this.selfAttn = this.registerModule('self_attn', new MultiheadAttention(dModel, nHead, { dropout: this.dropout, batchFirst, ...f }));
    this.linear1 = this.registerModule('linear1', new Linear(dModel, ff, f));
    this.linear2 = this.registerModule('linear2', new Linear(ff, dModel, f));
    this.norm1 = this.registerModule('norm1', new LayerNorm(dModel, { eps, ...f }));
    this.norm2 = this.registerModule('norm2', new LayerNorm(dModel, { eps, ...f }));
  }

  forward(x: Tensor, opts?: { isCausal?: boolean }): Tensor {
    checkOptions('TransformerBlock', opts, ['isCausal']);
    const isCausal = bool('TransformerBlock', 'isCausal', opts?.isCausal, true);
    return composite(() => {
      const h = this.norm1.forward(x);
      const [a] = this.selfAttn.forward(h, h, h, { isCausal, needWeights: false });
      const x1 = add(x, dropout(a, this.dropout, this.training));
      const m = this.linear2.forward(dropout(gelu(this.linear1.forward(this.norm2.forward(x1))), this.dropout, this.training));
      return add(x1, dropout(m, this.dropout, this.training));
    });
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, dropout=${this.dropout}`;
  }
}
