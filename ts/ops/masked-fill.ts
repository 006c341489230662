// maskedFill: x with `value` wherever an i32 mask (as comparisons return) is nonzero. A `where`
// with x's shape and dtype kept, so the gradient goes to x off the mask and to a tensor value on it.

import { check, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { where } from './elementwise.js';
import { assertTensor, broadcastShapes, checkSameDevice, describe, scalar, scoped } from './util.js';

/**
 * x with `value` (a number or a 0-d tensor) where `mask` is nonzero (torch.Tensor.masked_fill).
 * The mask is an i32 tensor that broadcasts to x's shape, such as `x.lt(0)`.
 * @example d.maskedFill(x, x.lt(0), 0)  // relu without a gradient at 0
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  assertTensor(x, 'maskedFill');
  assertTensor(mask, 'maskedFill', 'mask');
  check(mask.dtype === 'i32', 'BAD_DTYPE', () => `maskedFill: expected an i32 mask (0/1, as comparisons return), got dtype ${mask.dtype}`);
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  check(shape.length === x.ndim && shape.every((n, i) => n === x.shape[i]), 'SHAPE_MISMATCH',
    () => `maskedFill: mask ${fmtShape(mask.shape)} must broadcast to x's shape ${fmtShape(x.shape)}`);
  if (value instanceof Tensor) {
    assertTensor(value, 'maskedFill', 'value');
    check(value.ndim === 0, 'SHAPE_MISMATCH', () => `maskedFill: a tensor value must be 0-d, got shape ${fmtShape(value.shape)}`);
    checkSameDevice('maskedFill', x, mask, value);
    check(value.dtype === x.dtype, 'BAD_DTYPE', () => `maskedFill: value dtype ${value.dtype} must equal x's ${x.dtype}`);
    return where(mask, value, x);
  }
  check(typeof value === 'number' && (x.dtype !== 'i32' || Number.isInteger(value)), 'BAD_ARGUMENT',
    () => `maskedFill: expected ${x.dtype === 'i32' ? 'an integer' : 'a number'} or a 0-d tensor as value, got ${describe(value)}`);
  checkSameDevice('maskedFill', x, mask);
  return scoped(() => where(mask, scalar(value, x.dtype, x.device), x));
}
