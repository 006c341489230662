// Memory-efficient optimizer state: wraps a transformation so the tensors of its state live in
// fewer bytes between steps and are widened to f32 only while it updates.
//   'bf16' — 2 bytes per element, written back with stochastic rounding (unbiased, so small EMA
//            increments are not lost as round-to-nearest would lose them; Zamirai et al.,
//            "Revisiting BFloat16 Training", 2020), from the global Philox stream; on a device
//            without synchronous reads (webgpu) rounded there, with the same words and bits.
//   '8bit' — ~1 byte per element: block-wise dynamic quantization as bitsandbytes' 8-bit
//            optimizers (./blockwise-8bit.ts), packed on the host (not on webgpu).
// Only f32 tensors shaped like the parameter are compressed; step counters and the rest stay.

import { DescentError } from '../errors.js';
import { getBackend } from '../engine.js';
import { Tensor } from '../tensor.js';
import { empty } from '../ops/util.js';
import { toBits } from '../ops/quantize.js';
import { roundToFormat } from '../ops/quantize-device.js';
import { to } from '../ops/shape.js';
import { tidy } from '../lifetime.js';
import { isPacked, packBlockwise, unpackBlockwise } from './blockwise-8bit.js';
import type { GradientTransformation, ParamState, StateValue } from './transform.js';

export type StateDtype = 'f32' | 'bf16' | '8bit';
export const STATE_DTYPES: readonly StateDtype[] = ['f32', 'bf16', '8bit'];

/** A tensor on t's device holding `bits` as they are (no rounding: bf16 codes, packed words, f32 values). */
function raw(t: Tensor, bits: Uint16Array | Int32Array | Float32Array, dtype: 'bf16' | 'i32' | 'f32', shape: readonly number[]): Tensor {
  const out = empty(shape, dtype, t.device);
  getBackend(t.device).write(out.storage, bits);
  return out;
}

const pack8 = (t: Tensor): { blocks8: Tensor } => {
  const words = packBlockwise(t.dataSync() as Float32Array);
  return { blocks8: raw(t, words, 'i32', [words.length]) };
};

const unpack8 = (p: { blocks8: Tensor }, like: Tensor): Tensor =>
  raw(like, unpackBlockwise(p.blocks8.dataSync() as Int32Array, like.size), 'f32', like.shape);

/** v rounded to bf16 (the same bits and draws on every device: on one without synchronous reads, rounded there). */
const toBf16 = (v: Tensor, rounding: 'nearest' | 'stochastic'): Tensor => (v.backend.readAsync === undefined
  ? raw(v, toBits(v.dataSync() as Float32Array, 'bf16', rounding) as Uint16Array, 'bf16', v.shape)
  : tidy(() => to(roundToFormat(v, 'bf16', false, rounding === 'stochastic'), 'bf16')));

const compressible = (v: StateValue, p: Tensor): v is Tensor => v instanceof Tensor && v.dtype === 'f32'
  && v.shape.length === p.shape.length && v.shape.every((n, i) => n === p.shape[i]);

/** A copy of s with every compressible tensor narrowed (the wide originals are left to the caller). */
function narrowState(s: ParamState, p: Tensor, dtype: StateDtype, rounding: 'nearest' | 'stochastic'): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) {
    if (compressible(v, p)) {
      out[k] = dtype === 'bf16' ? toBf16(v, rounding) : pack8(v);
    } else out[k] = v !== null && typeof v === 'object' && !(v instanceof Tensor) ? narrowState(v, p, dtype, rounding) : v;
  }
  return out;
}

/** A copy of s with every narrowed tensor widened to f32. */
function widenState(s: ParamState, p: Tensor): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) {
    if (isPacked(v)) out[k] = unpack8(v, p);
    else if (v instanceof Tensor && v.dtype === 'bf16') out[k] = v.to('f32');
    else out[k] = v !== null && typeof v === 'object' && !(v instanceof Tensor) ? widenState(v, p) : v;
  }
  return out;
}

function disposeWide(s: ParamState, keep: Set<Tensor>): void {
  for (const v of Object.values(s)) {
    if (v instanceof Tensor) { if (!keep.has(v)) v.dispose(); } else if (v !== null && typeof v === 'object') disposeWide(v, keep);
  }
}

function collect(s: StateValue, into: Set<Tensor>): Set<Tensor> {
  if (s instanceof Tensor) into.add(s);
  else if (s !== null && typeof s === 'object') for (const v of Object.values(s)) collect(v, into);
  return into;
}

/**
 * `inner` with its state stored in `dtype()` ('f32': unchanged).
 * @example const tx = lowPrecisionState(scaleByAdam(), () => 'bf16');
 */
export function lowPrecisionState(inner: GradientTransformation, dtype: () => StateDtype): GradientTransformation {
  return {
    name: `lowPrecisionState(${inner.name})`,
    links: inner.links, // the state keeps inner's layout, so fused kernels find their links (linkStates)
    init(p) {
      const s = inner.init(p);
      const d = dtype();
      if (d === 'f32') return s;
      if (p.dtype !== 'f32') throw new DescentError('BAD_DTYPE', `stateDtype '${d}': expected f32 parameters, got ${p.dtype}`);
      if (d === '8bit' && p.backend.readAsync !== undefined) {
        throw new DescentError('UNSUPPORTED', `stateDtype '8bit': the block-wise packing runs on the host, and ${p.device} values `
          + "cannot be read synchronously; use stateDtype 'bf16' there (rounded on the device)");
      }
      // initial values are constants, not accumulations: nearest, which draws no random words
      const n = narrowState(s, p, d, 'nearest');
      disposeWide(s, collect(n, new Set()));
      return n;
    },
    update(updates, states, params) {
      const d = dtype();
      if (d === 'f32') return inner.update(updates, states, params);
      const wide = states.map((s, i) => widenState(s, params[i]));
      const u = inner.update(updates, wide, params);
      // the caller runs this inside tidy(): the wide tensors are freed unless kept in the state
      wide.forEach((w, i) => {
        const n = narrowState(w, params[i], d, 'stochastic');
        for (const k of Object.keys(states[i])) delete states[i][k];
        Object.assign(states[i], n);
      });
      return u;
    },
  };
}
