// MeZO (Malladi et al. 2023): zeroth-order SGD with the memory of inference. One step draws a seed,
// evaluates the loss at θ + εz and θ − εz, restores θ, and moves θ ← θ − η·g·z with the projected
// gradient g = (L₊ − L₋)/(2ε). z ~ N(0, I) is never stored: each pass reseeds the engine's RNG and
// regenerates it parameter by parameter, so the extra memory is one parameter-sized tensor. The
// global RNG stream is restored afterwards, so the caller's randomness is not disturbed.

import { check, checkOptions } from '../errors.js';
import { tidy } from '../lifetime.js';
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/tape.js';
import { randnLike } from '../ops/creation.js';
import { getRngState, manualSeed, randomWords, setRngState } from '../ops/random.js';
import { writeParam } from '../optim/optimizer.js';

export interface MeZOOptions {
  lr?: number;
  /** Perturbation scale ε (default 1e-3, as the paper). */
  eps?: number;
  /** Seed of this step's z (default: drawn from the engine's RNG). */
  seed?: number;
}

/** θ ← θ + scale·z(seed), one parameter at a time. */
function perturb(params: Tensor[], seed: number, scale: number): void {
  const outer = getRngState();
  manualSeed(seed);
  try {
    for (const p of params) tidy(() => noGrad(() => writeParam(p, p.add(randnLike(p).mul(scale)))));
  } finally {
    setRngState(outer);
  }
}

const lossValue = (loss: () => Tensor | number): number => {
  const v = tidy(() => { const l = noGrad(loss); return l instanceof Tensor ? l.item() : l; });
  check(typeof v === 'number', 'BAD_ARGUMENT', () => `mezoStep: the loss function must return a number or a one-element tensor, got ${typeof v}`);
  return v;
};

/**
 * One MeZO step on `params` for a loss evaluated without gradients. Returns the two losses' mean
 * and the projected gradient.
 * @example finetune.mezoStep(net.parameters(), () => lossOf(net, batch), { lr: 1e-3, eps: 1e-3 })
 */
export function mezoStep(params: Tensor[], loss: () => Tensor | number, opts?: MeZOOptions): { loss: number; projectedGrad: number; seed: number } {
  checkOptions('mezoStep', opts, ['lr', 'eps', 'seed']);
  check(Array.isArray(params) && params.length > 0 && params.every((p) => p instanceof Tensor && !p.isDisposed), 'BAD_ARGUMENT',
    () => 'mezoStep: expected a non-empty array of live parameter tensors');
  check(typeof loss === 'function', 'BAD_ARGUMENT', () => `mezoStep: expected a loss function, got ${typeof loss}`);
  const { lr = 1e-3, eps = 1e-3 } = opts ?? {};
  check(typeof lr === 'number' && Number.isFinite(lr) && lr >= 0, 'BAD_OPTION', () => `mezoStep: 'lr' expected a finite number ≥ 0, got ${String(lr)}`);
  check(typeof eps === 'number' && Number.isFinite(eps) && eps > 0, 'BAD_OPTION', () => `mezoStep: 'eps' expected a number > 0, got ${String(eps)}`);
  const seed = opts?.seed ?? randomWords(1)[0];
  check(Number.isInteger(seed) && seed >= 0, 'BAD_OPTION', () => `mezoStep: 'seed' expected an integer ≥ 0, got ${String(seed)}`);
  perturb(params, seed, eps);
  let plus: number;
  try {
    plus = lossValue(loss);
  } catch (e) {
    perturb(params, seed, -eps); // restore θ before rethrowing
    throw e;
  }
  perturb(params, seed, -2 * eps);
  let minus: number;
  try {
    minus = lossValue(loss);
  } finally {
    perturb(params, seed, eps);
  }
  const g = (plus - minus) / (2 * eps);
  perturb(params, seed, -lr * g);
  return { loss: (plus + minus) / 2, projectedGrad: g, seed };
}
