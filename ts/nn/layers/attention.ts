// MultiheadAttention with torch's parameters (in_proj_weight [3E, E], in_proj_bias, out_proj) and
// mask conventions (a boolean attnMask or keyPaddingMask marks positions that may NOT be attended;
// a float attnMask is added). isCausal applies the causal mask itself. Optional children q_proj,
// k_proj, v_proj add their output to that slice of the packed projection: LoRA adapters on
// in_proj_weight (finetune.applyLoRA registers them; a merged adapter returns null).

import { check, checkOptions, fmtShape } from '../../errors.js';
import { add, where } from '../../ops/elementwise.js';
import { chunk } from '../../ops/join.js';
import { matmul } from '../../ops/linalg.js';
import { mean } from '../../ops/reduce.js';
import { reshape, squeeze, transpose, unsqueeze } from '../../ops/shape.js';
import type { Tensor } from '../../tensor.js';
import { causalMask } from '../functional/attention.js';
import { dropout } from '../functional/dropout.js';
import { linear } from '../functional/linear.js';
import { softmax } from '../functional/softmax.js';
import { checkInput, composite, prob } from '../functional/util.js';
import { xavierUniform, zeros } from '../init.js';
import { Module } from '../module.js';
import { type FactoryOptions, blank, bool, factory, positive } from './factory.js';
import { Linear } from './linear.js';

/** Names of the optional adapters on the q, k and v slices of in_proj_weight, in slice order. */
export const IN_PROJ_SLICES = ['q_proj', 'k_proj', 'v_proj'] as const;

export interface MultiheadAttentionOptions extends FactoryOptions { dropout?: number; bias?: boolean; batchFirst?: boolean }
export interface AttentionCallOptions {
  attnMask?: Tensor | null; keyPaddingMask?: Tensor | null; needWeights?: boolean; averageAttnWeights?: boolean; isCausal?: boolean;
}

/**
 * Multi-head attention (Vaswani et al. 2017). forward(query, key, value, opts) → [output, weights]
 * where weights are averaged over heads unless averageAttnWeights is false (null unless needWeights).
 * @example const [y] = mha.call(x, x, x, { isCausal: true })
 */
export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, AttentionCallOptions?], [Tensor, Tensor | null]> {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly outProj: Linear;

  constructor(embedDim: number, numHeads: number, opts?: MultiheadAttentionOptions) {
    super();
    const f = factory('MultiheadAttention', opts, ['dropout', 'bias', 'batchFirst']);
    this.embedDim = positive('MultiheadAttention', 'embedDim', embedDim);
    this.numHeads = positive('MultiheadAttention', 'numHeads', numHeads);
    check(embedDim % numHeads === 0, 'BAD_ARGUMENT', () => `MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.dropout = prob('MultiheadAttention', 'dropout', opts?.dropout ?? 0);
    this.batchFirst = bool('MultiheadAttention', 'batchFirst', opts?.batchFirst, false);
    const bias = bool('MultiheadAttention', 'bias', opts?.bias, true);
    this.registerParameter('in_proj_weight', xavierUniform(blank([3 * embedDim, embedDim], f)));
    this.registerParameter('in_proj_bias', bias ? blank([3 * embedDim], f) : null);
    this.outProj = this.registerModule('out_proj', new Linear(embedDim, embedDim, { bias, ...f }));
    if (bias) zeros(this.outProj.bias!);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, opts?: AttentionCallOptions): [Tensor, Tensor | null] {
    checkOptions('MultiheadAttention', opts, ['attnMask', 'keyPaddingMask', 'needWeights', 'averageAttnWeights', 'isCausal']);
    const flags = { // a non-boolean (a truthy 'no') would otherwise pick the branch silently
      needWeights: bool('MultiheadAttention', 'needWeights', opts?.needWeights, true),
      averageAttnWeights: bool('MultiheadAttention', 'averageAttnWeights', opts?.averageAttnWeights, true),
      isCausal: bool('MultiheadAttention', 'isCausal', opts?.isCausal, false),
    };
    const layout = this.batchFirst ? '[N, L, E]' : '[L, N, E]';
    for (const [n, t] of [['query', query], ['key', key], ['value', value]] as const) {
      checkInput('MultiheadAttention', t, [2, 3], `${n} of layout ${layout} or [L, E]`);
      check(t.shape[t.ndim - 1] === this.embedDim && t.ndim === query.ndim, 'SHAPE_MISMATCH',
        () => `MultiheadAttention: expected ${n} with embedDim ${this.embedDim} in its last dim and query's rank, got ${fmtShape(t.shape)}`);
    }
    return composite(() => {
      const toNLE = (t: Tensor) => (t.ndim === 2 ? unsqueeze(t, 0) : this.batchFirst ? t : transpose(t, 0, 1));
      const [out, w] = this.attend(toNLE(query), toNLE(key), toNLE(value), { ...opts, ...flags });
      const y = query.ndim === 2 ? squeeze(out, 0) : this.batchFirst ? out : transpose(out, 0, 1);
      return [y, w === null || query.ndim === 3 ? w : squeeze(w, 0)];
    });
  }

  /** Attention on [N, L, E] inputs; returns [N, L, E] and the weights. */
  private attend(q: Tensor, k: Tensor, v: Tensor, o: AttentionCallOptions): [Tensor, Tensor | null] {
    const [n, l] = q.shape;
    const s = k.shape[1];
    const h = this.numHeads;
    const hd = this.embedDim / h;
    const ws = chunk(this.param('in_proj_weight')!, 3, 0);
    const bs = this.param('in_proj_bias') === null ? [null, null, null] : chunk(this.param('in_proj_bias')!, 3, 0);
    const adapters = new Map(this.namedChildren());
    const project = (x: Tensor, i: number): Tensor => {
      const y = linear(x, ws[i], bs[i]);
      const extra = adapters.get(IN_PROJ_SLICES[i])?.call(x) as Tensor | null | undefined;
      return extra == null ? y : add(y, extra);
    };
    const heads = (x: Tensor, i: number, len: number) => transpose(reshape(project(x, i), [n, len, h, hd]), 1, 2);
    let scores = matmul(heads(q, 0, l), transpose(heads(k, 1, s), -2, -1)); // [N, h, L, S]
    scores = this.masked(scores.mul(1 / Math.sqrt(hd)), o, n, l, s);
    const attn = softmax(scores, -1);
    const ctx = matmul(dropout(attn, this.dropout, this.training), heads(v, 2, s)); // [N, h, L, hd]
    const out = this.outProj.forward(reshape(transpose(ctx, 1, 2), [n, l, this.embedDim]));
    if (!(o.needWeights ?? true)) return [out, null];
    return [out, (o.averageAttnWeights ?? true) ? mean(attn, 1) : attn];
  }

  private masked(scores: Tensor, o: AttentionCallOptions, n: number, l: number, s: number): Tensor {
    let out = scores;
    if (o.isCausal) out = add(out, causalMask(l, s, out));
    const m = o.attnMask ?? null;
    if (m !== null) {
      const ok = (m.ndim === 2 && m.shape[0] === l && m.shape[1] === s) || (m.ndim === 3 && m.shape[0] === n * this.numHeads && m.shape[1] === l && m.shape[2] === s);
      check(ok, 'SHAPE_MISMATCH', () => `MultiheadAttention: expected attnMask of shape [${l}, ${s}] or [${n * this.numHeads}, ${l}, ${s}], got ${fmtShape(m.shape)}`);
      const m4 = m.ndim === 3 ? reshape(m, [n, this.numHeads, l, s]) : m;
      out = m.dtype === 'i32' ? where(m4, -Infinity, out) : add(out, m4);
    }
    const kp = o.keyPaddingMask ?? null;
    if (kp !== null) {
      check(kp.ndim === 2 && kp.shape[0] === n && kp.shape[1] === s, 'SHAPE_MISMATCH',
        () => `MultiheadAttention: expected keyPaddingMask of shape [${n}, ${s}], got ${fmtShape(kp.shape)}`);
      const kp4 = reshape(kp, [n, 1, 1, s]);
      out = kp.dtype === 'i32' ? where(kp4, -Infinity, out) : add(out, kp4);
    }
    return out;
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, dropout=${this.dropout}, batchFirst=${this.batchFirst}`;
  }
}
