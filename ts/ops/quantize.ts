// Fake quantization Q(x) (the lecture's quantizer): an f32 tensor whose values are representable
// in a low-precision format, with a straight-through gradient (dQ/dx taken as the identity, so
// training can run through it). Float formats round with the conversion kernels' rules
// (ts/minifloat.ts; wasm kernels when the wasm runtime is loaded, the bit-identical host reference
// otherwise); int8 is symmetric per tensor: scale = max|x| / 127, Q(x) = scale · round(x / scale).
// Stochastic rounding draws from the global Philox stream, so results are the same on every device.
// On devices that read only asynchronously (webgpu) it runs on the device (quantize-device.ts), no
// read, with the same bits for the same seed.

import { isFloat } from '../dtype.js';
import { hasBackend } from '../engine.js';
import { check, checkOptions } from '../errors.js';
import { Tensor } from '../tensor.js';
import { attach, noGrad } from '../autograd/tape.js';
import { MINIFLOATS, narrow, widen, type Minifloat } from '../minifloat.js';
import * as kernels from '../kernels/convert.js';
import { randomWords, uniforms } from './random.js';
import { to } from './shape.js';
import { assertTensor, describe } from './util.js';
import { tensor } from './creation.js';
import { roundInt8OnDevice, roundToFormat } from './quantize-device.js';
import { tidy } from '../lifetime.js';

export type QuantFormat = Minifloat | 'int8';
export const QUANT_FORMATS: readonly QuantFormat[] = [...MINIFLOATS, 'int8'];

export interface QuantizeOptions {
  format: QuantFormat;
  /** 'nearest' (default, ties to even) or 'stochastic' (unbiased: E[Q(x)] = x). */
  rounding?: 'nearest' | 'stochastic';
  /** fp8 only: overflow → ±max finite instead of NaN (e4m3) / ±Inf (e5m2). Default false. */
  saturate?: boolean;
}

/** Validated options (throws before anything is read or drawn). */
export function checkQuantizeOptions(opts: unknown): Required<QuantizeOptions> {
  const where = 'quantize';
  check(typeof opts === 'object' && opts !== null, 'BAD_OPTION', () => `${where}: expected options { format, rounding?, saturate? }, got ${describe(opts)}`);
  checkOptions(where, opts, ['format', 'rounding', 'saturate']);
  const { format, rounding = 'nearest', saturate = false } = opts as QuantizeOptions;
  check(QUANT_FORMATS.includes(format), 'BAD_OPTION',
    () => `${where}: expected format ${QUANT_FORMATS.map((f) => `'${f}'`).join(', ')}, got ${describe(format)}`);
  check(rounding === 'nearest' || rounding === 'stochastic', 'BAD_OPTION',
    () => `${where}: expected rounding 'nearest' or 'stochastic', got ${describe(rounding)}`);
  check(typeof saturate === 'boolean', 'BAD_OPTION', () => `${where}: expected saturate to be a boolean, got ${describe(saturate)}`);
  check(!saturate || format.startsWith('fp8'), 'BAD_OPTION', () => `${where}: saturate applies to the fp8 formats, got format '${format}'`);
  return { format, rounding, saturate };
}

/** x rounded to the format's bits (16-bit formats in a Uint16Array, fp8 in a Uint8Array). */
export function toBits(x: Float32Array, format: Minifloat, rounding: 'nearest' | 'stochastic', saturate = false): Uint16Array | Uint8Array {
  if (hasBackend('wasm')) {
    if (format === 'f16') return kernels.f32ToF16(x, { rounding });
    if (format === 'bf16') return kernels.f32ToBf16(x, { rounding });
    return kernels.f32ToFp8(x, { format: format === 'fp8e4m3' ? 'e4m3' : 'e5m2', saturate, rounding });
  }
  const w = rounding === 'stochastic' ? randomWords(x.length) : null;
  const out = format === 'f16' || format === 'bf16' ? new Uint16Array(x.length) : new Uint8Array(x.length);
  x.forEach((v, i) => { out[i] = narrow(format, v, saturate, w ? w[i] : undefined); });
  return out;
}

/** The f32 values of a format's bits (exact). */
export function fromBits(bits: Uint16Array | Uint8Array, format: Minifloat): Float32Array {
  if (hasBackend('wasm')) {
    if (format === 'f16') return kernels.f16ToF32(bits as Uint16Array);
    if (format === 'bf16') return kernels.bf16ToF32(bits as Uint16Array);
    return kernels.fp8ToF32(bits as Uint8Array, { format: format === 'fp8e4m3' ? 'e4m3' : 'e5m2' });
  }
  return Float32Array.from(bits, (h) => widen(format, h));
}

/** Symmetric per-tensor int8: levels −127..127 of max|x| / 127 (0 stays 0; NaN/Inf propagate). */
function roundInt8(x: Float32Array, stochastic: boolean): Float32Array {
  const amax = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (amax === 0 || !Number.isFinite(amax)) return x.map((v) => (amax === 0 ? v : v * NaN));
  const scale = amax / 127;
  const u = stochastic ? uniforms(x.length, true) : null;
  return x.map((v, i) => {
    const q = v / scale;
    const f = Math.floor(q);
    const up = u ? u[i] < q - f : q - f > 0.5 || (q - f === 0.5 && f % 2 !== 0);
    return Math.min(127, Math.max(-127, up ? f + 1 : f)) * scale;
  });
}

/** The device path (no read of x): stochastic draws come from the host stream, as on the host path. */
function quantizeOnDevice(x: Tensor, o: Required<QuantizeOptions>): Tensor {
  const stochastic = o.rounding === 'stochastic';
  if (o.format === 'int8') return roundInt8OnDevice(x, stochastic ? tensor(uniforms(x.size, true), { device: x.device, dtype: 'f32', shape: [...x.shape] }) : null);
  return roundToFormat(x, o.format, o.saturate, stochastic);
}

/**
 * Fake-quantizes x (any float dtype, any device) to `format`; returns f32 with x's shape and device.
 * The gradient passes straight through (cast back to x's dtype).
 * @example const q = d.quantize(w, { format: 'fp8e4m3', saturate: true });
 */
export function quantize(x: Tensor, opts: QuantizeOptions): Tensor {
  assertTensor(x, 'quantize');
  check(isFloat(x.dtype), 'BAD_DTYPE', () => `quantize: expected a floating tensor (f64, f32, f16, bf16), got ${x.dtype}`);
  const o = checkQuantizeOptions(opts);
  if (x.backend.readAsync !== undefined) {
    const y = tidy(() => noGrad(() => quantizeOnDevice(to(x, 'f32'), o)));
    return attach(y, [x], (g) => [to(g, x.dtype)], 'quantize');
  }
  const v = Float32Array.from(noGrad(() => x.dataSync()));
  const q = o.format === 'int8' ? roundInt8(v, o.rounding === 'stochastic') : fromBits(toBits(v, o.format as Minifloat, o.rounding, o.saturate), o.format as Minifloat);
  const y = tensor(q, { device: x.device, shape: [...x.shape] });
  return attach(y, [x], (g) => [to(g, x.dtype)], 'quantize');
}
