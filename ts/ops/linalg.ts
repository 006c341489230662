// Matrix products. matmul follows torch.matmul: 1-D operands are promoted to matrices and the
// added dim removed afterwards; leading (batch) dims broadcast. The kernel sees ≥2-D views only.

import { type DType, isHalf, promote } from '../dtype.js';
import { autocastDtype, castLow, lowPrecisionOp } from '../amp/autocast.js';
import { attach } from '../autograd/tape.js';
import { check, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { sumTo } from './broadcast.js';
import { reshape, transpose } from './shape.js';
import { assertTensor, broadcastShapes, broadcastView, checkSameDevice, empty, inCompute, scoped } from './util.js';

function matmul2(a: Tensor, b: Tensor): Tensor {
  const low = autocastDtype();
  if (low !== null && isLowCastable(a.dtype) && isLowCastable(b.dtype)) {
    // autocast (ts/amp/autocast.ts): half operands, f32 accumulation, rounded once to the half dtype
    return lowPrecisionOp(() => matmulInto(castLow(a), castLow(b), 'f32'));
  }
  return matmulInto(a, b, promote(a.dtype, b.dtype));
}

const isLowCastable = (d: DType): boolean => d === 'f32' || d === 'f16' || d === 'bf16';

function matmulInto(a: Tensor, b: Tensor, dt: DType): Tensor {
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  check(k === k2, 'SHAPE_MISMATCH', () => `matmul: inner dims differ: ${fmtShape(a.shape)} · ${fmtShape(b.shape)} (${k} vs ${k2})`);
  const batch = broadcastShapes('matmul (batch dims)', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const device = checkSameDevice('matmul', a, b);
  const run = dt === 'i32' ? 'f64' : dt; // integer products are exact in f64 up to 2^53
  // half operands with an f32 result go to the GEMM as they are (it widens them while packing)
  const halves = dt === 'f32' && a.dtype === b.dtype && isHalf(a.dtype);
  const y = halves ? scoped(() => {
    const out = empty([...batch, m, n], 'f32', device);
    a.backend.matmul(broadcastView(a, [...batch, m, k]), broadcastView(b, [...batch, k, n]), out);
    return out;
  }) : inCompute(run, [a, b], ([ca, cb], cdt) => {
    const out = empty([...batch, m, n], cdt, device);
    a.backend.matmul(broadcastView(ca, [...batch, m, k]), broadcastView(cb, [...batch, k, n]), out);
    return out;
  });
  let r = y;
  if (dt === 'i32') {
    r = y.to('i32');
    y.dispose();
  }
  return attach(r, [a, b], (g, needs) => [
    needs[0] ? sumTo(matmul2(g, transpose(b, -1, -2)), a.shape) : null,
    needs[1] ? gradOfB(a, b, g) : null,
  ], 'matmul');
}

/**
 * d(a·b)/db = aᵀ·g. When b is the transpose of a row-major matrix W (Linear's x·Wᵀ) it is
 * computed as (gᵀ·a)ᵀ: the same dot products, landing in W's own layout, so backward keeps the
 * result as W's gradient instead of copying a transposed view.
 */
function gradOfB(a: Tensor, b: Tensor, g: Tensor): Tensor {
  if (a.ndim === 2 && b.ndim === 2 && b.shape[0] > 1 && b.strides[0] === 1 && b.strides[1] === b.shape[0]) {
    return transpose(matmul2(transpose(g, 0, 1), a), 0, 1);
  }
  return sumTo(matmul2(transpose(a, -1, -2), g), b.shape);
}

/**
 * Matrix product with torch.matmul's rules (vector·vector → scalar, batched broadcasting).
 * @example d.randn([8, 3, 4]).matmul(d.randn([4, 5])) // shape [8, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  assertTensor(a, 'matmul', 'a');
  assertTensor(b, 'matmul', 'b');
  check(a.ndim >= 1 && b.ndim >= 1, 'SHAPE_MISMATCH', () => `matmul: both operands need at least 1 dim, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  if (a.ndim > 1 && b.ndim > 1) return matmul2(a, b);
  // The 1-D operands' matrix views and the 2-D product are temporaries (freed also on a throw).
  return scoped(() => {
    const y = matmul2(a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a, b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b);
    const shape = y.shape.filter((_, i) => !((a.ndim === 1 && i === y.ndim - 2) || (b.ndim === 1 && i === y.ndim - 1)));
    return reshape(y, shape);
  });
}
