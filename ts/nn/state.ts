// Reading back the JSON form of tensors (Tensor.toJSON: {dtype, shape, data}, with non-finite
// values spelled as the strings "NaN", "Infinity" and "-Infinity", as JSON has no literal for them).

import type { Device } from '../backend/backend.js';
import { checkDType } from '../dtype.js';
import { check, fmtShape } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { sizeOf } from '../ops/util.js';
import type { JsonTensor, Tensor } from '../tensor.js';

const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

export function fromJson(j: JsonTensor, device: Device): Tensor {
  check(j !== null && typeof j === 'object' && Array.isArray(j.shape) && Array.isArray(j.data), 'INVALID_DATA',
    () => `loadStateDict: expected a Tensor or {dtype, shape, data}, got ${JSON.stringify(j)?.slice(0, 80)}`);
  const dtype = checkDType(j.dtype, 'loadStateDict');
  check(j.data.length === sizeOf(j.shape), 'INVALID_DATA',
    () => `loadStateDict: shape ${fmtShape(j.shape)} needs ${sizeOf(j.shape)} values, got ${j.data.length}`);
  const values = new Float64Array(j.data.length);
  j.data.forEach((v, i) => {
    const n = typeof v === 'string' ? SPECIAL[v] : v;
    check(typeof n === 'number', 'INVALID_DATA', () => `loadStateDict: value ${JSON.stringify(v)} at ${i} is not a number`);
    values[i] = n;
  });
  return tensor(values, { dtype, device, shape: j.shape });
}
