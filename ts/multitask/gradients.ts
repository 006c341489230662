// Combining task gradients. Each task's gradient is a list of tensors (one per shared parameter).
// PCGrad (Yu et al. 2020): each gᵢ loses its component along every gⱼ it conflicts with
// (gᵢ·gⱼ < 0), visiting the other tasks in random order, and the projected gradients are summed.
// MGDA (Désidéri 2012; Sener & Koltun 2018): the min-norm point of the convex hull of the task
// gradients, by the closed form for two tasks and accelerated projected gradient beyond; MGDA-UB applies it to the
// gradients with respect to the shared representation, one backward per task through the heads only.

import { check, checkOptions } from '../errors.js';
import { listDot } from '../optim/transform.js';
import { tidy } from '../lifetime.js';
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/tape.js';
import { gradients } from '../autograd/backward.js';
import { randomWords } from '../ops/random.js';

type TaskGrads = Tensor[][];


function checkTaskGrads(where: string, grads: unknown): asserts grads is TaskGrads {
  check(Array.isArray(grads) && grads.length > 0 && grads.every((g) => Array.isArray(g) && g.every((t) => t instanceof Tensor)), 'BAD_ARGUMENT',
    () => `${where}: expected an array (one per task) of arrays of gradient tensors`);
  const first = grads[0] as Tensor[];
  (grads as Tensor[][]).forEach((g, k) => {
    check(g.length === first.length && g.every((t, i) => t.shape.join() === first[i].shape.join()), 'SHAPE_MISMATCH',
      () => `${where}: task ${k}'s gradient does not match task 0's shapes [${first.map((t) => `[${t.shape}]`).join(', ')}]`);
  });
}

/**
 * PCGrad's combined gradient. `shuffle: false` visits the other tasks in index order (for
 * reproducible tests); the default draws the order from the engine's seeded RNG.
 * @example const g = multitask.pcgrad([g1, g2]) // then write g into the parameters' .grad
 */
export function pcgrad(grads: TaskGrads, opts?: { shuffle?: boolean }): Tensor[] {
  checkOptions('pcgrad', opts, ['shuffle']);
  checkTaskGrads('pcgrad', grads);
  const shuffle = opts?.shuffle ?? true;
  check(typeof shuffle === 'boolean', 'BAD_OPTION', () => `pcgrad: 'shuffle' expected a boolean, got ${String(shuffle)}`);
  return tidy(() => noGrad(() => {
    const projected = grads.map((gi, i) => {
      let pc = gi;
      for (const j of order(grads.length, shuffle)) {
        if (j === i) continue;
        const c = listDot(pc, grads[j]);
        if (c < 0) {
          const k = c / listDot(grads[j], grads[j]);
          pc = pc.map((t, p) => t.sub(grads[j][p].mul(k)));
        }
      }
      return pc;
    });
    return projected[0].map((_, p) => projected.map((g) => g[p]).reduce((a, b) => a.add(b)));
  }));
}

function order(n: number, shuffle: boolean): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  if (!shuffle) return idx;
  const r = randomWords(n);
  for (let i = n - 1; i > 0; i--) {
    const j = r[i] % (i + 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

/**
 * Weights α on the simplex minimising ‖Σ αᵢ gᵢ‖² = αᵀGα: exact for two tasks; beyond, accelerated
 * projected gradient (FISTA, Beck & Teboulle 2009) on the Gram matrix with the exact Euclidean
 * projection onto the simplex (Duchi et al. 2008) — it converges where Frank–Wolfe zigzags.
 * @example const [a1, a2] = multitask.minNormWeights([g1, g2])
 */
export function minNormWeights(grads: TaskGrads, opts?: { iters?: number }): number[] {
  checkOptions('minNormWeights', opts, ['iters']);
  checkTaskGrads('minNormWeights', grads);
  const iters = opts?.iters ?? 500;
  check(Number.isInteger(iters) && iters > 0, 'BAD_OPTION', () => `minNormWeights: 'iters' expected a positive integer, got ${String(iters)}`);
  const G = tidy(() => noGrad(() => grads.map((a) => grads.map((b) => listDot(a, b)))));
  const n = G.length;
  if (n === 1) return [1];
  if (n === 2) return twoPoint(G[0][0], G[0][1], G[1][1]);
  const L = 2 * Math.max(...G.map((row) => row.reduce((s, g) => s + Math.abs(g), 0))) || 1; // ≥ the gradient's Lipschitz constant
  let alpha = new Array<number>(n).fill(1 / n);
  let y = alpha;
  let t = 1;
  for (let it = 0; it < iters; it++) {
    const next = projectSimplex(y.map((yi, i) => yi - (2 * G[i].reduce((s, g, j) => s + g * y[j], 0)) / L));
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    y = next.map((a, i) => a + ((t - 1) / tNext) * (a - alpha[i]));
    alpha = next;
    t = tNext;
  }
  return alpha;
}

/** Euclidean projection onto {α ≥ 0, Σα = 1} by sorting (Duchi et al. 2008). */
function projectSimplex(v: number[]): number[] {
  const u = [...v].sort((a, b) => b - a);
  let cum = 0;
  let theta = 0;
  u.forEach((ui, k) => {
    cum += ui;
    if (ui - (cum - 1) / (k + 1) > 0) theta = (cum - 1) / (k + 1);
  });
  return v.map((x) => Math.max(0, x - theta));
}

/** argmin over γ ∈ [0, 1] of ‖(1−γ)a + γb‖² given a·a, a·b, b·b; returns [1−γ, γ]. */
function twoPoint(aa: number, ab: number, bb: number): [number, number] {
  const den = aa - 2 * ab + bb;
  const gamma = den <= 0 ? 0 : Math.min(1, Math.max(0, (aa - ab) / den));
  return [1 - gamma, gamma];
}

/**
 * MGDA-UB weights: the min-norm weights of ∂Lᵢ/∂z for the shared representation z (which the
 * losses must depend on through the recorded graph). The graph is retained for the caller's backward.
 * @example const a = multitask.mgdaUB([l1, l2], z); multitask.weightedSum([l1, l2], a).backward()
 */
export function mgdaUB(losses: Tensor[], shared: Tensor): number[] {
  check(Array.isArray(losses) && losses.length > 0 && losses.every((l) => l instanceof Tensor && l.size === 1), 'BAD_ARGUMENT',
    () => 'mgdaUB: expected an array of one-element loss tensors');
  check(shared instanceof Tensor && shared.requiresGrad, 'BAD_ARGUMENT',
    () => 'mgdaUB: expected the shared representation as a tensor in the recorded graph');
  return tidy(() => minNormWeights(losses.map((l) => gradients(l, [shared], null, { retainGraph: true }))));
}
