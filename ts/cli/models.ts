// The CLI's models for 28×28 one-channel images and 10 classes (Fashion-MNIST), and the
// character-level transformer LM of `--model charlm` (logits [B, V, T], so crossEntropy and
// evaluate's argmax over dim 1 work per position, as torch's K-dimensional loss does).

import * as d from '../index.js';

const { nn } = d;
export const IMAGE_MODELS = ['logreg', 'mlp', 'cnn'] as const;
export const MODELS = [...IMAGE_MODELS, 'charlm'] as const;
export type ModelName = (typeof MODELS)[number];

/** A classifier for [N, 1, 28, 28] images. */
export function imageModel(name: (typeof IMAGE_MODELS)[number]): d.nn.Module {
  if (name === 'logreg') return new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
  if (name === 'mlp') return new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(16 * 7 * 7, 10));
}

/** A 2-layer decoder-only transformer over characters: embeddings, causal pre-LN blocks, a head. */
export class CharLM extends nn.Module<[d.Tensor], d.Tensor> {
  readonly tok: d.nn.Embedding;
  readonly pos: d.nn.Embedding;
  readonly blocks: d.nn.Sequential;
  readonly norm: d.nn.LayerNorm;
  readonly head: d.nn.Linear;
  constructor(readonly vocab: number, readonly context: number, dim = 64, heads = 4, layers = 2) {
    super();
    this.tok = this.registerModule('tok', new nn.Embedding(vocab, dim));
    this.pos = this.registerModule('pos', new nn.Embedding(context, dim));
    // TransformerBlock is causal by default (pre-LN, GELU MLP)
    this.blocks = this.registerModule('blocks', new nn.Sequential(...Array.from({ length: layers }, () => new nn.TransformerBlock(dim, heads))));
    this.norm = this.registerModule('norm', new nn.LayerNorm(dim));
    this.head = this.registerModule('head', new nn.Linear(dim, vocab));
  }
  /** x: [B, T] i32 character ids → logits [B, V, T]. */
  forward(x: d.Tensor): d.Tensor {
    const t = x.shape[1];
    const h = this.tok.call(x).add(this.pos.call(d.arange(0, t, 1, { dtype: 'i32' })));
    return this.head.call(this.norm.call(this.blocks.call(h))).transpose(1, 2);
  }
}
