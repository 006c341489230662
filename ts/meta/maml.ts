// MAML (Finn, Abbeel & Levine 2017) and first-order MAML: the inner loop adapts a copy of the
// parameters by `innerSteps` gradient steps on a task's support set (through nn.functionalCall, so
// the module is never modified); the outer loss is the adapted model's loss on the query set. Full
// MAML differentiates through the inner steps (createGraph); first-order MAML treats the inner
// gradients as constants. mamlStep accumulates the meta-gradient into the parameters' .grad, ready
// for any optimizer's step().

import { check, checkOptions } from '../errors.js';
import { tidy } from '../lifetime.js';
import { Tensor } from '../tensor.js';
import { enableGrad } from '../autograd/tape.js';
import { gradients } from '../autograd/backward.js';
import { Module } from '../nn/module.js';
import { functionalCall } from '../nn/functional-call.js';

export type TaskLoss = (prediction: Tensor, target: Tensor) => Tensor;
export interface Task { support: [Tensor, Tensor]; query: [Tensor, Tensor] }
export interface MAMLOptions { innerLr?: number; innerSteps?: number; firstOrder?: boolean }

function resolve(where: string, opts: MAMLOptions | undefined) {
  checkOptions(where, opts, ['innerLr', 'innerSteps', 'firstOrder']);
  const { innerLr = 0.01, innerSteps = 1, firstOrder = false } = opts ?? {};
  check(typeof innerLr === 'number' && Number.isFinite(innerLr) && innerLr > 0, 'BAD_OPTION',
    () => `${where}: 'innerLr' expected a number > 0, got ${String(innerLr)}`);
  check(Number.isInteger(innerSteps) && innerSteps >= 0, 'BAD_OPTION', () => `${where}: 'innerSteps' expected an integer ≥ 0, got ${String(innerSteps)}`);
  check(typeof firstOrder === 'boolean', 'BAD_OPTION', () => `${where}: 'firstOrder' expected a boolean, got ${String(firstOrder)}`);
  return { innerLr, innerSteps, firstOrder };
}

function checkModel(where: string, model: unknown, loss: unknown): asserts model is Module<[Tensor], Tensor> {
  check(model instanceof Module, 'BAD_ARGUMENT', () => `${where}: expected an nn.Module, got ${String(model)}`);
  check(typeof loss === 'function', 'BAD_ARGUMENT', () => `${where}: expected a loss function (prediction, target) ⇒ scalar`);
}

/** The adapted parameters (name → tensor) in the caller's scope; recorded when createGraph. */
function innerLoop(model: Module<[Tensor], Tensor>, loss: TaskLoss, [x, y]: [Tensor, Tensor],
  o: { innerLr: number; innerSteps: number }, createGraph: boolean): Record<string, Tensor> {
  const named = model.namedParameters();
  let fast: Record<string, Tensor> = Object.fromEntries(named);
  for (let k = 0; k < o.innerSteps; k++) {
    const names = Object.keys(fast);
    const l = loss(functionalCall(model, fast, x), y);
    const gs = gradients(l, names.map((n) => fast[n]), null, { createGraph, retainGraph: true });
    fast = Object.fromEntries(names.map((n, i) => [n, fast[n].sub((createGraph ? gs[i] : gs[i].detach()).mul(o.innerLr))]));
  }
  return fast;
}

/**
 * Parameters adapted to one task's data, detached (for evaluation after meta-training); use them
 * with nn.functionalCall(model, params, x).
 * @example const fast = meta.adapt(net, mse, [xs, ys], { innerLr: 0.01, innerSteps: 5 })
 */
export function adapt(model: Module<[Tensor], Tensor>, loss: TaskLoss, support: [Tensor, Tensor], opts?: MAMLOptions): Record<string, Tensor> {
  const o = resolve('adapt', opts);
  checkModel('adapt', model, loss);
  return tidy(() => enableGrad(() => Object.fromEntries(Object.entries(innerLoop(model, loss, support, o, false)).map(([n, t]) => [n, t.detach()]))));
}

/**
 * One meta-batch: for each task, adapt on the support set and take the loss on the query set;
 * the mean query loss is back-propagated into the parameters' .grad (accumulating, as backward
 * does). Returns that mean as a number.
 * @example opt.zeroGrad(); meta.mamlStep(net, mse, tasks, { innerLr: 0.01 }); opt.step()
 */
export function mamlStep(model: Module<[Tensor], Tensor>, loss: TaskLoss, tasks: Task[], opts?: MAMLOptions): number {
  const o = resolve('mamlStep', opts);
  checkModel('mamlStep', model, loss);
  check(Array.isArray(tasks) && tasks.length > 0 && tasks.every((t) => t !== null && typeof t === 'object'
    && [...(t.support ?? []), ...(t.query ?? [])].length === 4 && [...t.support, ...t.query].every((x) => x instanceof Tensor)), 'BAD_ARGUMENT',
  () => 'mamlStep: expected a non-empty array of tasks { support: [x, y], query: [x, y] }');
  let total = 0;
  for (const task of tasks) {
    total += tidy(() => enableGrad(() => {
      const fast = innerLoop(model, loss, task.support, o, !o.firstOrder);
      const q = loss(functionalCall(model, fast, task.query[0]), task.query[1]).div(tasks.length);
      q.backward();
      return q.item() * tasks.length;
    }));
  }
  return total / tasks.length;
}
