// Embedding: a [num, dim] table initialized N(0, 1) (torch's default) with the paddingIdx row
// zeroed; that row gets no gradient.

import { check } from '../../errors.js';
import { noGrad } from '../../autograd/tape.js';
import { narrow } from '../../ops/shape.js';
import type { Tensor } from '../../tensor.js';
import { embedding } from '../functional/embedding.js';
import { normal, zeros } from '../init.js';
import { Module } from '../module.js';
import { type FactoryOptions, blank, factory, positive } from './factory.js';

export interface EmbeddingOptions extends FactoryOptions { paddingIdx?: number | null }

/** @example const emb = new nn.Embedding(65, 32); emb.call(d.tensor([[1, 2]], { dtype: 'i32' })) // [1, 2, 32] */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;

  constructor(numEmbeddings: number, embeddingDim: number, opts?: EmbeddingOptions) {
    super();
    const f = factory('Embedding', opts, ['paddingIdx']);
    this.numEmbeddings = positive('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = positive('Embedding', 'embeddingDim', embeddingDim);
    const p = opts?.paddingIdx ?? null;
    check(p === null || (Number.isInteger(p) && p >= -numEmbeddings && p < numEmbeddings), 'BAD_OPTION',
      () => `Embedding: paddingIdx must be an integer in [-${numEmbeddings}, ${numEmbeddings}), got ${String(p)}`);
    this.paddingIdx = p === null ? null : p < 0 ? p + numEmbeddings : p;
    const w = normal(blank([numEmbeddings, embeddingDim], f));
    if (this.paddingIdx !== null) {
      const row = noGrad(() => narrow(w, 0, this.paddingIdx!, 1));
      zeros(row);
      row.dispose();
    }
    this.registerParameter('weight', w);
  }

  get weight(): Tensor { return this.param('weight')!; }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`}`;
  }
}
