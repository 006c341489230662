// The fused softmax-cross-entropy primitive behind crossEntropy (class indices, 2-D, no class
// weight, no label smoothing) on backends that have Backend.softmaxCrossEntropy: one kernel pass
// gives the per-row loss and dlogits, so backward is free. Its specification is the unfused
// composite in cross-entropy.ts (tested equal); under createGraph the VJP falls back to that
// differentiable formula so higher-order gradients stay exact.

import { attach, isGradEnabled } from '../../autograd/tape.js';
import { div, mul, sub } from '../../ops/elementwise.js';
import { sum } from '../../ops/reduce.js';
import { tensor, zerosLike } from '../../ops/creation.js';
import { detach, reshape, unsqueeze } from '../../ops/shape.js';
import { scatterAdd } from '../../ops/indexing.js';
import { castTo, empty } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { softmax } from './softmax.js';

export function canFuse(x: Tensor, hasWeight: boolean, labelSmoothing: number): boolean {
  return x.backend.softmaxCrossEntropy !== undefined && x.dtype === 'f32' && x.ndim === 2 && !hasWeight
    && labelSmoothing === 0;
}

/**
 * crossEntropy(x [N, C], lab) with the fused kernel. `lab` (i32 [N], contiguous, the caller's)
 * holds class ids, −1 where the target is ignored; `count` is the number of kept rows (the 'mean' divisor).
 */
export function fusedCrossEntropy(x: Tensor, lab: Tensor, count: number, reduction: string): Tensor {
  const [N, C] = x.shape;
  const needGrad = isGradEnabled() && x.requiresGrad;
  const scale = reduction === 'mean' ? 1 / count : 1;
  const xc = castTo(x, 'f32');
  const rowLoss = empty([N], 'f32', x.device);
  const dlogits = needGrad ? empty([N, C], 'f32', x.device) : null;
  x.backend.softmaxCrossEntropy!(xc, lab, rowLoss, dlogits, scale);
  if (xc !== x) xc.dispose();
  let out = rowLoss;
  if (reduction !== 'none' && x.backend.readAsync !== undefined) {
    // A device read only asynchronously (webgpu) reduces on itself: no readback inside a step.
    const total = sum(rowLoss);
    out = reduction === 'sum' ? total : div(total, count);
    if (out !== total) total.dispose();
    rowLoss.dispose();
  } else if (reduction !== 'none') {
    // Reduced on the host in f64 (rows values, one cheap read): saves two ops' overhead.
    const v = rowLoss.dataSync();
    let total = 0;
    for (let i = 0; i < v.length; i++) total += v[i];
    out = tensor(Float32Array.of(reduction === 'sum' ? total : total / count), { device: x.device, shape: [] });
    rowLoss.dispose();
  }
  if (dlogits === null) return out;
  const y = attach(out, [x], (g) => [isGradEnabled() ? exactGrad(x, lab, scale, g) : scaled(dlogits, g)], 'crossEntropy', [dlogits, lab]);
  dlogits.dispose(); // the node holds it (and lab) until released
  return y;
}

/** dlogits times the upstream gradient: a per-row column for 'none', a scalar otherwise. */
function scaled(dlogits: Tensor, g: Tensor): Tensor {
  if (g.ndim === 1) return mul(dlogits, unsqueeze(g, 1));
  const s = g.item();
  return s === 1 ? detach(dlogits) : mul(dlogits, s);
}

/** The same gradient from differentiable ops: scale·(softmax(x) − onehot)·g, ignored rows 0. */
function exactGrad(x: Tensor, lab: Tensor, scale: number, g: Tensor): Tensor {
  const N = x.shape[0];
  const v = lab.dataSync();
  const keep = Array.from(v, (c) => [c >= 0 ? scale : 0]);
  const safe = tensor(Array.from(v, (c) => [Math.max(c, 0)]), { dtype: 'i32', device: x.device });
  const rowScale = tensor(keep, { dtype: x.dtype, device: x.device });
  const onehot = scatterAdd(zerosLike(x), 1, safe, tensor(Array.from({ length: N }, () => [1]), { dtype: x.dtype, device: x.device }));
  const perRow = mul(sub(softmax(x, 1), onehot), rowScale);
  return g.ndim === 1 ? mul(perRow, reshape(g, [N, 1])) : mul(perRow, g);
}
