// linear: y = x·Wᵀ + b over the last dim of x (torch.nn.functional.linear), and linearActivation:
// act(linear(...)) for act relu or exact gelu (what nn.Sequential runs for Linear → ReLU/GELU).
// The composition matmul → add → activation is the definition; on backends with
// Backend.matmulBiasAct a 2-D f32 input runs ONE GEMM with the bias and the activation in its
// epilogue (bias and relu applied to each tile of C in registers, gelu right after), with the
// same bits forward and backward:
// the VJPs run the composition's own gradient ops (reluBackward, geluBackward, then g·W, gᵀ·x, Σ g),
// with gᵀ·x and Σ g as one GEMM on backends with Backend.matmulRowSums (same bits as sumTo).

import { autocastDtype, castLow, lowPrecisionOp } from '../../amp/autocast.js';
import { isGradEnabled, attach } from '../../autograd/tape.js';
import type { MatmulAct } from '../../backend/backend.js';
import { isContiguous } from '../../backend/view.js';
import { check, fmtShape } from '../../errors.js';
import { add, gelu, geluBackward, relu, reluBackward } from '../../ops/elementwise.js';
import { matmul } from '../../ops/linalg.js';
import { sumTo } from '../../ops/broadcast.js';
import { transpose } from '../../ops/shape.js';
import { assertTensor, checkSameDevice, empty } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { composite } from './util.js';

/** The activation linearActivation applies: none, relu or the exact (erf) gelu. */
export type LinearActivation = MatmulAct;

/**
 * x [..., in] · weight [out, in]ᵀ + bias [out].
 * @example nn.functional.linear(x, w, b)
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return linearActivation(x, weight, bias, 'none');
}

/** act(linear(x, weight, bias)), fused into the GEMM where the backend can (see the file comment). */
export function linearActivation(x: Tensor, weight: Tensor, bias: Tensor | null, act: LinearActivation): Tensor {
  assertTensor(x, 'linear', 'input');
  assertTensor(weight, 'linear', 'weight');
  check(weight.ndim === 2, 'SHAPE_MISMATCH', () => `linear: expected a 2-d weight [out, in], got ${fmtShape(weight.shape)}`);
  check(x.ndim >= 1 && x.shape[x.ndim - 1] === weight.shape[1], 'SHAPE_MISMATCH',
    () => `linear: expected input with ${weight.shape[1]} features in its last dim (weight ${fmtShape(weight.shape)}), got input of shape ${fmtShape(x.shape)}`);
  if (bias !== null) {
    assertTensor(bias, 'linear', 'bias');
    check(bias.ndim === 1 && bias.shape[0] === weight.shape[0], 'SHAPE_MISMATCH',
      () => `linear: expected bias of shape [${weight.shape[0]}], got ${fmtShape(bias.shape)}`);
  }
  check(act === 'none' || act === 'relu' || act === 'gelu', 'BAD_ARGUMENT',
    () => `linear: expected activation 'none', 'relu' or 'gelu', got ${String(act)}`);
  if ((bias !== null || act !== 'none') && canFuse(x, weight, bias)) return fusedLinear(x, weight, bias, act);
  return composite(() => {
    const y = lowPrecisionOp(() => {
      const xw = matmul(x, transpose(castLow(weight), 0, 1)); // the leaf is cast (and cached), not its view
      return bias === null ? xw : add(xw, castLow(bias));
    });
    return act === 'relu' ? relu(y) : act === 'gelu' ? gelu(y) : y;
  });
}

function canFuse(x: Tensor, weight: Tensor, bias: Tensor | null): boolean {
  return x.backend.matmulBiasAct !== undefined && x.ndim === 2 && autocastDtype() === null
    && x.dtype === 'f32' && weight.dtype === 'f32' && (bias === null || (bias.dtype === 'f32' && bias.strides[0] === 1));
}

/**
 * Where Backend.matmulRowSums can give Σ_batch g the bits of sumTo: g a contiguous f32 [batch, out]
 * with out ≥ 2 (one column is a contiguous row, which the reduce sums in another order), and no
 * graph to record (higher-order gradients take the composition's differentiable ops).
 */
function canFuseBiasGrad(g: Tensor, x: Tensor): boolean {
  return g.backend.matmulRowSums !== undefined && g.ndim === 2 && g.dtype === 'f32' && g.shape[1] >= 2 && isContiguous(g)
    && !(isGradEnabled() && (g.requiresGrad || x.requiresGrad));
}

/** [gᵀ·x, Σ_batch g] from one GEMM that sums gᵀ's rows while it packs them. */
function weightBiasGrads(g: Tensor, x: Tensor): [Tensor, Tensor] {
  const device = checkSameDevice('linear', g, x);
  const dw = empty([g.shape[1], x.shape[1]], 'f32', device), db = empty([g.shape[1]], 'f32', device);
  const gt = { storage: g.storage, offset: g.offset, shape: [g.shape[1], g.shape[0]], strides: [g.strides[1], g.strides[0]] };
  g.backend.matmulRowSums!(gt, x, dw, db);
  return [dw, db];
}

/** act(x·Wᵀ + b) in one GEMM; gradients as the composition's. */
function fusedLinear(x: Tensor, weight: Tensor, bias: Tensor | null, act: LinearActivation): Tensor {
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  const device = checkSameDevice('linear', ...inputs);
  const recording = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const y = empty([x.shape[0], weight.shape[0]], 'f32', device);
  // gelu's VJP reads its input, the pre-activation: the epilogue stores it only when it is needed
  const pre = act === 'gelu' && recording ? empty(y.shape, 'f32', device) : null;
  // Wᵀ as a bare view (strides swapped): no tensor, so nothing to free or record
  const wt = { storage: weight.storage, offset: weight.offset, shape: [weight.shape[1], weight.shape[0]], strides: [weight.strides[1], weight.strides[0]] };
  x.backend.matmulBiasAct!(x, wt, bias, act, y, pre);
  const linearGrads = (g: Tensor, needs: readonly boolean[]) => [
    needs[0] ? matmul(g, weight) : null,
    ...(bias !== null && needs[1] && needs[2] && canFuseBiasGrad(g, x) ? weightBiasGrads(g, x)
      : [needs[1] ? matmul(transpose(g, 0, 1), x) : null, ...(bias === null ? [] : [needs[2] ? sumTo(g, bias.shape) : null])]),
  ];
  if (act === 'none') return attach(y, inputs, linearGrads, 'linear');
  // relu's mask from its output (same bits as from its input, see reluBackward): one node, nothing saved
  if (act === 'relu') return attach(y, inputs, (g, needs) => linearGrads(reluBackward(g, y), needs), 'linear');
  if (pre === null) return y;
  // gelu: the composition's two nodes (linear → pre, gelu → y), so higher-order gradients flow through pre
  attach(pre, inputs, linearGrads, 'linear');
  attach(y, [pre], (g) => [geluBackward(g, pre, y)], 'gelu');
  pre.dispose(); // y's node holds it
  return y;
}
