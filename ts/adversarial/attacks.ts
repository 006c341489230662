// Adversarial examples, torchattacks semantics (Kim 2020): FGSM (Goodfellow et al. 2015) and PGD
// (Madry et al. 2018) in the ℓ∞ and ℓ2 balls. Inputs live in [clampMin, clampMax] (torchattacks:
// [0, 1]); a targeted attack descends the loss towards `labels` instead of ascending it. Attacks
// never touch the model's parameters or gradients and return a fresh, untracked tensor.

import { check, checkOptions } from '../errors.js';
import { tidy } from '../lifetime.js';
import { Tensor } from '../tensor.js';
import { grad } from '../autograd/functional.js';
import { randLike, randnLike } from '../ops/creation.js';
import { noGrad } from '../autograd/tape.js';
import { crossEntropy } from '../nn/functional/cross-entropy.js';

/** The classifier under attack (a Module's call or any function of the input batch). */
export type Model = (x: Tensor) => Tensor;
export type AttackLoss = (logits: Tensor, labels: Tensor) => Tensor;

export interface AttackOptions {
  /** Radius of the ball (ℓ∞: per coordinate; ℓ2: per example). torchattacks default 8/255. */
  eps?: number;
  /** PGD step size (default 2/255). */
  alpha?: number;
  /** PGD iterations (default 10). */
  steps?: number;
  /** 'linf' (default) or 'l2'. */
  norm?: 'linf' | 'l2';
  /** Start PGD from a uniformly random point of the ball (default true). */
  randomStart?: boolean;
  /** Move towards `labels` (then target classes) rather than away (default false). */
  targeted?: boolean;
  clampMin?: number;
  clampMax?: number;
  /** Default: mean cross entropy. */
  loss?: AttackLoss;
}

interface Resolved { eps: number; alpha: number; steps: number; norm: 'linf' | 'l2'; randomStart: boolean; targeted: boolean;
  clampMin: number; clampMax: number; loss: AttackLoss }

const KEYS = ['eps', 'alpha', 'steps', 'norm', 'randomStart', 'targeted', 'clampMin', 'clampMax', 'loss'];

export function resolveAttack(where: string, opts: AttackOptions | undefined): Resolved {
  checkOptions(where, opts, KEYS);
  const o = { eps: 8 / 255, alpha: 2 / 255, steps: 10, norm: 'linf' as const, randomStart: true, targeted: false,
    clampMin: 0, clampMax: 1, loss: (z: Tensor, y: Tensor) => crossEntropy(z, y), ...opts };
  const nonneg = (k: 'eps' | 'alpha', v: number) => check(typeof v === 'number' && Number.isFinite(v) && v >= 0, 'BAD_OPTION',
    () => `${where}: '${k}' expected a finite number ≥ 0, got ${String(v)}`);
  nonneg('eps', o.eps);
  nonneg('alpha', o.alpha);
  check(Number.isInteger(o.steps) && o.steps >= 0, 'BAD_OPTION', () => `${where}: 'steps' expected an integer ≥ 0, got ${String(o.steps)}`);
  check(o.norm === 'linf' || o.norm === 'l2', 'BAD_OPTION', () => `${where}: 'norm' expected 'linf' or 'l2', got ${String(o.norm)}`);
  check(typeof o.clampMin === 'number' && typeof o.clampMax === 'number' && o.clampMin < o.clampMax, 'BAD_OPTION',
    () => `${where}: expected clampMin < clampMax, got ${String(o.clampMin)} and ${String(o.clampMax)}`);
  check(typeof o.loss === 'function', 'BAD_OPTION', () => `${where}: 'loss' expected a function, got ${typeof o.loss}`);
  return o;
}

function checkInputs(where: string, model: unknown, x: unknown, labels: unknown): void {
  check(typeof model === 'function', 'BAD_ARGUMENT', () => `${where}: expected the model as a function x ⇒ logits, got ${typeof model}`);
  check(x instanceof Tensor && labels instanceof Tensor, 'BAD_ARGUMENT', () => `${where}: expected tensors x and labels`);
  check(x.shape.length >= 1 && x.shape[0] === labels.shape[0], 'SHAPE_MISMATCH',
    () => `${where}: x has ${x.shape[0]} examples but labels has ${labels.shape[0]}`);
}

/** ∇ₓ loss(model(x), labels), signed so that adding it is an ascent step of the attack's objective. */
function attackGrad(model: Model, x: Tensor, labels: Tensor, o: Resolved): Tensor {
  const g = grad((xv: Tensor) => o.loss(model(xv), labels))(x.detach()) as Tensor;
  return o.targeted ? g.neg() : g;
}

/** Per-example ℓ2 norms shaped [n, 1, 1, …] for broadcasting. */
function exampleNorms(t: Tensor): Tensor {
  const axes = t.shape.slice(1).map((_, i) => i + 1);
  return axes.length === 0 ? t.abs() : t.norm(2, axes, { keepdim: true });
}

/** Projects x + δ back into the ball around x and into the input range. */
function project(x: Tensor, adv: Tensor, o: Resolved): Tensor {
  let delta = adv.sub(x);
  if (o.norm === 'linf') delta = delta.clamp(-o.eps, o.eps);
  else delta = delta.mul(exampleNorms(delta).add(1e-12).reciprocal().mul(o.eps).clamp(null, 1));
  return x.add(delta).clamp(o.clampMin, o.clampMax);
}

/**
 * FGSM: x + ε·sign(∇ₓ loss), clamped to the input range (torchattacks.FGSM).
 * @example const xAdv = adversarial.fgsm((x) => net.call(x), x, y, { eps: 0.1 })
 */
export function fgsm(model: Model, x: Tensor, labels: Tensor, opts?: Omit<AttackOptions, 'alpha' | 'steps' | 'norm' | 'randomStart'>): Tensor {
  checkOptions('fgsm', opts, ['eps', 'targeted', 'clampMin', 'clampMax', 'loss']);
  const o = resolveAttack('fgsm', opts);
  checkInputs('fgsm', model, x, labels);
  return tidy(() => {
    const g = attackGrad(model, x, labels, o);
    return noGrad(() => x.add(g.sign().mul(o.eps)).clamp(o.clampMin, o.clampMax));
  });
}

/**
 * Projected gradient descent (torchattacks.PGD for 'linf', PGDL2 for 'l2'): from a random point
 * of the ball, `steps` steps of size α along sign(g) (ℓ∞) or g/‖g‖₂ (ℓ2), each projected back.
 * @example const xAdv = adversarial.pgd((x) => net.call(x), x, y, { eps: 0.1, alpha: 0.02, steps: 10 })
 */
export function pgd(model: Model, x: Tensor, labels: Tensor, opts?: AttackOptions): Tensor {
  const o = resolveAttack('pgd', opts);
  checkInputs('pgd', model, x, labels);
  return tidy(() => {
    let adv = noGrad(() => (o.randomStart ? project(x, x.add(randomInBall(x, o)), o) : x.clone()));
    for (let i = 0; i < o.steps; i++) {
      const prev = adv;
      adv = tidy(() => {
        const g = attackGrad(model, prev, labels, o);
        return noGrad(() => {
          const dir = o.norm === 'linf' ? g.sign() : g.div(exampleNorms(g).add(1e-10));
          return project(x, prev.add(dir.mul(o.alpha)), o);
        });
      });
      prev.dispose();
    }
    return adv;
  });
}

/** A uniform point of the ℓ∞ box, or (torchattacks PGDL2) a random direction with radius r·ε, r ~ U(0,1). */
function randomInBall(x: Tensor, o: Resolved): Tensor {
  if (o.norm === 'linf') return randLike(x).mul(2 * o.eps).sub(o.eps);
  const z = randnLike(x);
  const n = exampleNorms(z);
  return z.div(n.add(1e-12)).mul(randLike(n).mul(o.eps));
}
