// masterWeights: 'remainder' — bf16 parameters whose f32 master is split in two 16-bit halves: the
// parameter holds the master rounded to the nearest bf16 (what the model computes with), and the
// state's `remainder` the 16 low bits that give the master back exactly:
//   master bits = (bf16 bits << 16) + sign-extended remainder
// (when the low half is ≥ 0x8000 the bf16 was rounded up by one, so the remainder is negative).
// The update is computed on the f32 master as for an f32 parameter, so the trajectory is the f32
// one bit for bit, at 4 bytes per parameter instead of 2 + a 4-byte f32 copy. A plain bf16 update
// rounds θ + u back to θ once |u| is below half a bf16 ulp, and training stalls.

import { DescentError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { empty } from '../ops/util.js';
import { zeros } from '../ops/creation.js';
import { keep, tidy } from '../lifetime.js';
import { contiguous } from '../ops/shape.js';
import { noGrad } from '../autograd/tape.js';
import type { GradientTransformation, ParamState } from './transform.js';

export type MasterWeights = 'none' | 'remainder';
export const MASTER_WEIGHTS: readonly MasterWeights[] = ['none', 'remainder'];

const QNAN = 0x7fc00000;
const bitsOf = (f: Float32Array): Uint32Array => new Uint32Array(f.buffer, f.byteOffset, f.length);

/** The f32 master of a bf16 parameter: its bits joined with the remainder's (see the file header). */
export function joinMaster(p: Tensor, remainder: Tensor): Tensor {
  const out = empty(p.shape, 'f32', p.device);
  const onDevice = p.backend.joinMaster;
  if (onDevice !== undefined) {
    tidy(() => onDevice.call(p.backend, contiguous(p), remainder, out));
    return out;
  }
  const hi = bitsOf(p.dataSync() as Float32Array); // bf16 widened: its bits in the high half
  const words = remainder.dataSync() as Int32Array;
  const lo = new Int16Array(words.buffer, words.byteOffset, p.size);
  p.backend.write(out.storage, new Float32Array(Int32Array.from(hi, (h, i) => h + lo[i]).buffer));
  return out;
}

/** [the master rounded to nearest bf16 (ties away from zero), the low 16 bits] as storage arrays. */
function split(master: Tensor, n: number): [Uint16Array, Int32Array] {
  const bits = bitsOf(master.dataSync() as Float32Array);
  const hi = new Uint16Array(n), words = new Int32Array(Math.ceil(n / 2)), lo = new Uint16Array(words.buffer, 0, n);
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    const nan = (b & 0x7fffffff) > 0x7f800000;
    // + 0x8000 carries into the bf16 half exactly when the low half is ≥ 0x8000 (a NaN would wrap: kept quiet instead)
    hi[i] = nan ? (b | QNAN) >>> 16 : (b + 0x8000) >>> 16;
    lo[i] = nan ? 0 : b & 0xffff;
  }
  return [hi, words];
}

/** value (a new bf16 tensor) and remainder (new i32 words) ← master's halves, on the device where it has splitMaster. */
function splitInto(master: Tensor, value: Tensor, remainder: Tensor): void {
  const onDevice = master.backend.splitMaster;
  if (onDevice !== undefined) return onDevice.call(master.backend, master, value, remainder);
  const [hi, words] = split(master, master.size);
  master.backend.write(value.storage, hi);
  master.backend.write(remainder.storage, words);
}

/** The state of a bf16 parameter under `tx`: tx's state of its f32 master, and a zero remainder. */
export function initWithRemainder(tx: GradientTransformation, p: Tensor): ParamState {
  if (p.dtype !== 'bf16') throw new DescentError('BAD_DTYPE', `masterWeights 'remainder': expected bf16 parameters, got ${p.dtype}`);
  const master = p.to('f32');
  try {
    return { ...tx.init(master), remainder: zeros([Math.ceil(p.size / 2)], { dtype: 'i32', device: p.device }) };
  } finally {
    master.dispose();
  }
}

/**
 * One step of `tx` on the f32 masters of bf16 `params`: `apply` (applyUpdates) updates the masters
 * from f32 copies of the gradients; each parameter and remainder then gets the new master's halves.
 */
export function stepWithRemainder(params: readonly Tensor[], states: ParamState[],
  apply: (masters: Tensor[], states: ParamState[]) => ParamState[], write: (p: Tensor, value: Tensor) => void): ParamState[] {
  const masters = noGrad(() => params.map((p, i) => {
    const m = keep(joinMaster(p, states[i].remainder as Tensor));
    m.grad = keep((p.grad as Tensor).to('f32'));
    return m;
  }));
  try {
    const next = apply(masters, states);
    params.forEach((p, i) => {
      const old = next[i].remainder as Tensor;
      const value = empty(p.shape, 'bf16', p.device);
      const remainder = keep(empty(old.shape, 'i32', p.device));
      splitInto(masters[i], value, remainder);
      write(p, value);
      value.dispose();
      next[i].remainder = remainder;
      old.dispose();
    });
    return next;
  } finally {
    for (const m of masters) {
      m.grad?.dispose();
      m.dispose();
    }
  }
}
