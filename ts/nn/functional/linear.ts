// linear: y = x·Wᵀ + b over the last dim of x (torch.nn.functional.linear). The composition
// matmul → add is the definition; on backends with Backend.matmulBiasAct a 2-D f32 input takes the
// fused GEMM epilogue instead (the bias added to each C block while it is in cache), which gives
// the same bits forward and backward (the VJP runs the composition's own gradient ops).

import { autocastDtype, castLow, lowPrecisionOp } from '../../amp/autocast.js';
import { check, fmtShape } from '../../errors.js';
import { attach } from '../../autograd/tape.js';
import { add } from '../../ops/elementwise.js';
import { matmul } from '../../ops/linalg.js';
import { sumTo } from '../../ops/broadcast.js';
import { transpose } from '../../ops/shape.js';
import { assertTensor, checkSameDevice, empty } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { composite } from './util.js';

/**
 * x [..., in] · weight [out, in]ᵀ + bias [out].
 * @example nn.functional.linear(x, w, b)
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
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
  if (bias !== null && canFuse(x, weight, bias)) return fusedLinear(x, weight, bias);
  return composite(() => lowPrecisionOp(() => {
    const y = matmul(x, transpose(castLow(weight), 0, 1)); // the leaf is cast (and cached), not its view
    return bias === null ? y : add(y, castLow(bias));
  }));
}

function canFuse(x: Tensor, weight: Tensor, bias: Tensor): boolean {
  return x.backend.matmulBiasAct !== undefined && x.ndim === 2 && autocastDtype() === null
    && [x, weight, bias].every((t) => t.dtype === 'f32') && bias.strides[0] === 1;
}

/** x·Wᵀ + b in one GEMM; gradients as the composition's: g·W, gᵀ·x and g summed over rows. */
function fusedLinear(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const device = checkSameDevice('linear', x, weight, bias);
  const y = empty([x.shape[0], weight.shape[0]], 'f32', device);
  // Wᵀ as a bare view (strides swapped): no tensor, so nothing to free or record
  const wt = { storage: weight.storage, offset: weight.offset, shape: [weight.shape[1], weight.shape[0]], strides: [weight.strides[1], weight.strides[0]] };
  x.backend.matmulBiasAct!(x, wt, bias, 'none', y);
  return attach(y, [x, weight, bias], (g, needs) => [
    needs[0] ? matmul(g, weight) : null,
    needs[1] ? matmul(transpose(g, 0, 1), x) : null,
    needs[2] ? sumTo(g, bias.shape) : null,
  ], 'linear');
}
