// Parameter initializers (torch.nn.init): each fills a tensor in place from the seeded Philox
// stream and returns it. Values are drawn in f64 on the host and written to the device, so a seed
// gives the same weights on every device. Fan and gain rules are torch's exactly.

import { check, checkOptions, fmtShape } from '../errors.js';
import { isFloat } from '../dtype.js';
import { tensor } from '../ops/creation.js';
import { copyInto } from '../ops/inplace.js';
import { normals, uniforms } from '../ops/random.js';
import { assertTensor } from '../ops/util.js';
import type { Tensor } from '../tensor.js';
import { orthogonalMatrix } from './orthogonal.js';
import { erfinv } from './erfinv.js';
import { erf as erfApprox } from '../math/special.js';

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d'
  | 'conv_transpose3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fanIn' | 'fanOut';

/** Writes host values into t (any layout) and returns t. */
function fill(t: Tensor, where: string, gen: (n: number) => ArrayLike<number>): Tensor {
  assertTensor(t, where);
  check(isFloat(t.dtype), 'BAD_DTYPE', () => `init.${where}: expected a floating tensor, got dtype ${t.dtype}`);
  const src = tensor(Float64Array.from(gen(t.size)), { dtype: t.dtype, device: t.device, shape: [...t.shape] });
  copyInto(t, src);
  src.dispose();
  return t;
}

function checkNumber(where: string, name: string, v: unknown): number {
  check(typeof v === 'number' && Number.isFinite(v), 'BAD_ARGUMENT', () => `init.${where}: expected ${name} to be a finite number, got ${String(v)}`);
  return v;
}

const UNIT_GAIN = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid'];
const GAINS: Record<string, (param: number | undefined) => number> = {
  ...Object.fromEntries(UNIT_GAIN.map((k) => [k, () => 1])),
  tanh: () => 5 / 3,
  relu: () => Math.SQRT2,
  leaky_relu: (slope = 0.01) => Math.sqrt(2 / (1 + slope * slope)),
  selu: () => 3 / 4,
};

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  check(Object.hasOwn(GAINS, nonlinearity), 'BAD_OPTION',
    () => `init: unknown nonlinearity '${String(nonlinearity)}'; expected one of ${Object.keys(GAINS).join(', ')}`);
  if (param !== undefined) checkNumber('calculateGain', 'param', param);
  return GAINS[nonlinearity](param);
}

/** [fanIn, fanOut] of a weight: dim 1 and dim 0 times the receptive field (torch's rule). */
export function calculateFanInAndFanOut(t: Pick<Tensor, 'shape'>): [number, number] {
  check(t.shape.length >= 2, 'SHAPE_MISMATCH',
    () => `init: fan in and fan out need a tensor with at least 2 dims, got shape ${fmtShape(t.shape)}`);
  const field = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * field, t.shape[0] * field];
}

/** Fills with U(a, b). */
export function uniform(t: Tensor, a = 0, b = 1): Tensor {
  checkNumber('uniform', 'a', a);
  checkNumber('uniform', 'b', b);
  check(a <= b, 'BAD_ARGUMENT', () => `init.uniform: expected a ≤ b, got a=${a}, b=${b}`);
  return fill(t, 'uniform', (n) => uniforms(n, true).map((u) => a + (b - a) * u));
}

/** Fills with N(mean, std²). */
export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  checkNumber('normal', 'mean', mean);
  check(typeof std === 'number' && std >= 0, 'BAD_ARGUMENT', () => `init.normal: expected std ≥ 0, got ${String(std)}`);
  return fill(t, 'normal', (n) => normals(n, true).map((z) => mean + std * z));
}

export function constant(t: Tensor, value: number): Tensor {
  check(typeof value === 'number', 'BAD_ARGUMENT', () => `init.constant: expected a number, got ${String(value)}`);
  return fill(t, 'constant', (n) => new Float64Array(n).fill(value));
}

export const zeros = (t: Tensor): Tensor => constant(t, 0);
export const ones = (t: Tensor): Tensor => constant(t, 1);

/** Glorot & Bengio (2010): U(±gain·√(6/(fanIn+fanOut))). */
export function xavierUniform(t: Tensor, gain = 1): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(assertTensor(t, 'init.xavierUniform'));
  const bound = checkNumber('xavierUniform', 'gain', gain) * Math.sqrt(6 / (fi + fo));
  return uniform(t, -bound, bound);
}

/** Glorot & Bengio (2010): N(0, gain²·2/(fanIn+fanOut)). */
export function xavierNormal(t: Tensor, gain = 1): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(assertTensor(t, 'init.xavierNormal'));
  return normal(t, 0, checkNumber('xavierNormal', 'gain', gain) * Math.sqrt(2 / (fi + fo)));
}

export interface KaimingOptions { a?: number; mode?: FanMode; nonlinearity?: Nonlinearity }

function kaimingStd(where: string, t: Tensor, opts: KaimingOptions | undefined): number {
  checkOptions(`init.${where}`, opts, ['a', 'mode', 'nonlinearity']);
  const mode = opts?.mode ?? 'fanIn';
  check(mode === 'fanIn' || mode === 'fanOut', 'BAD_OPTION', () => `init.${where}: mode must be 'fanIn' or 'fanOut', got '${String(mode)}'`);
  const [fi, fo] = calculateFanInAndFanOut(assertTensor(t, `init.${where}`));
  const gain = calculateGain(opts?.nonlinearity ?? 'leaky_relu', checkNumber(where, 'a', opts?.a ?? 0));
  return gain / Math.sqrt(mode === 'fanIn' ? fi : fo);
}

/** He et al. (2015): U(±gain·√(3/fan)); defaults a=0, fanIn, leaky_relu (torch's). */
export function kaimingUniform(t: Tensor, opts?: KaimingOptions): Tensor {
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform', t, opts);
  return uniform(t, -bound, bound);
}

/** He et al. (2015): N(0, gain²/fan). */
export function kaimingNormal(t: Tensor, opts?: KaimingOptions): Tensor {
  return normal(t, 0, kaimingStd('kaimingNormal', t, opts));
}

/**
 * N(mean, std²) truncated to [a, b], by inverse-CDF sampling (torch's method): uniforms in
 * [Φ(α), Φ(β)] mapped back through Φ⁻¹, so every draw lands inside without rejection.
 */
export function truncNormal(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  for (const [n, v] of [['mean', mean], ['std', std], ['a', a], ['b', b]] as const) checkNumber('truncNormal', n, v);
  check(std > 0 && a < b, 'BAD_ARGUMENT', () => `init.truncNormal: expected std > 0 and a < b, got std=${std}, a=${a}, b=${b}`);
  const cdf = (x: number) => (1 + erfApprox((x - mean) / (std * Math.SQRT2))) / 2;
  const lo = 2 * cdf(a) - 1;
  const hi = 2 * cdf(b) - 1;
  return fill(t, 'truncNormal', (n) => uniforms(n, true).map((u) => {
    const v = mean + std * Math.SQRT2 * erfinv(lo + (hi - lo) * u);
    return Math.min(Math.max(v, a), b);
  }));
}

/** Saxe et al. (2014): a (semi-)orthogonal matrix from the QR of a Gaussian, times gain. */
export function orthogonal(t: Tensor, gain = 1): Tensor {
  assertTensor(t, 'init.orthogonal');
  check(t.ndim >= 2, 'SHAPE_MISMATCH', () => `init.orthogonal: expected at least 2 dims, got shape ${fmtShape(t.shape)}`);
  checkNumber('orthogonal', 'gain', gain);
  const rows = t.shape[0];
  const cols = t.size / Math.max(rows, 1);
  return fill(t, 'orthogonal', () => orthogonalMatrix(rows, cols, normals(rows * cols, true)).map((v) => v * gain));
}
