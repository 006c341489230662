// Scaled dot-product attention (Vaswani et al. 2017) as a composite: softmax(q·kᵀ·scale + mask)·v.
// Masks follow torch.nn.functional.scaled_dot_product_attention: a boolean (i32) mask marks the
// pairs that may attend, a float mask is added; isCausal masks j > i (top-left aligned).

import { check, checkOptions, fmtShape } from '../../errors.js';
import { tensor } from '../../ops/creation.js';
import { add, mul, where } from '../../ops/elementwise.js';
import { matmul } from '../../ops/linalg.js';
import { transpose } from '../../ops/shape.js';
import { assertTensor } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { dropout } from './dropout.js';
import { softmax } from './softmax.js';
import { composite, prob } from './util.js';

export interface AttentionOptions { attnMask?: Tensor | null; isCausal?: boolean; dropoutP?: number; scale?: number | null }

/** [l, s] additive mask: 0 where j ≤ i, -Infinity above the diagonal. */
export function causalMask(l: number, s: number, like: Tensor): Tensor {
  const m = new Float64Array(l * s);
  for (let i = 0; i < l; i++) for (let j = i + 1; j < s; j++) m[i * s + j] = -Infinity;
  return tensor(m, { dtype: like.dtype, device: like.device, shape: [l, s] });
}

/**
 * q [..., L, E], k [..., S, E], v [..., S, Ev] → [..., L, Ev].
 * @example nn.functional.scaledDotProductAttention(q, k, v, { isCausal: true })
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts?: AttentionOptions): Tensor {
  checkOptions('scaledDotProductAttention', opts, ['attnMask', 'isCausal', 'dropoutP', 'scale']);
  for (const [n, t] of [['query', q], ['key', k], ['value', v]] as const) {
    assertTensor(t, 'scaledDotProductAttention', n);
    check(t.ndim >= 2, 'SHAPE_MISMATCH', () => `scaledDotProductAttention: expected ${n} with at least 2 dims, got ${fmtShape(t.shape)}`);
  }
  const [l, e] = q.shape.slice(-2);
  const s = k.shape[k.ndim - 2];
  check(k.shape[k.ndim - 1] === e && v.shape[v.ndim - 2] === s, 'SHAPE_MISMATCH',
    () => `scaledDotProductAttention: query ${fmtShape(q.shape)}, key ${fmtShape(k.shape)} and value ${fmtShape(v.shape)} disagree (key needs [.., S, ${e}], value [.., S, ..])`);
  const mask = opts?.attnMask ?? null;
  if (mask !== null) assertTensor(mask, 'scaledDotProductAttention', 'attnMask');
  const p = prob('scaledDotProductAttention', 'dropoutP', opts?.dropoutP ?? 0);
  const scale = opts?.scale ?? 1 / Math.sqrt(e);
  return composite(() => {
    let scores = mul(matmul(q, transpose(k, -2, -1)), scale);
    if (opts?.isCausal) scores = add(scores, causalMask(l, s, scores));
    if (mask !== null) scores = mask.dtype === 'i32' ? where(mask, scores, -Infinity) : add(scores, mask);
    const w = dropout(softmax(scores, -1), p, p > 0);
    return matmul(w, v);
  });
}
