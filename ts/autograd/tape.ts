// Recording side of autograd: grad mode and `attach`, which every primitive op calls with its
// VJP rule, plus the two hooks Tensor calls (saved access during backward, release on free).
// The backward pass over these nodes lives in ts/autograd/backward.ts.

import type { Tensor } from '../tensor.js';
import { check } from '../errors.js';
import { type GradNode, makeNode, releaseNode } from './node.js';

let gradEnabled = true;
let savedDepth = 0;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn with gradient recording set to `on`, restoring the previous mode afterwards. */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  check(typeof fn === 'function', 'BAD_ARGUMENT',
    () => `${on ? 'enableGrad' : 'noGrad'}: expected a function to run, got ${fn === null ? 'null' : typeof fn}`);
  const prev = gradEnabled;
  gradEnabled = on;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** `fn` without recording a graph (PyTorch's `torch.no_grad()`). */
export const noGrad = <T>(fn: () => T): T => withGradMode(false, fn);
/** `fn` with recording re-enabled inside a noGrad region. */
export const enableGrad = <T>(fn: () => T): T => withGradMode(true, fn);

/** True while VJPs run: they may read saved tensors whose handles the user already disposed. */
export function savedAccess(): boolean {
  return savedDepth > 0;
}

export function withSavedAccess<T>(fn: () => T): T {
  savedDepth++;
  try {
    return fn();
  } finally {
    savedDepth--;
  }
}

/**
 * Makes `out` a graph node of `inputs` when recording and any input requires grad. The VJP
 * `backward(g)` returns one gradient per input (null when that input gets none), built from
 * differentiable ops so higher-order gradients work. `saved` lists tensors other than the
 * inputs that the VJP reads (an index, a condition); the node holds them until released.
 */
export function attach(out: Tensor, inputs: readonly Tensor[], backward: NonNullable<GradNode['backward']>, name: string,
  saved: readonly Tensor[] = []): Tensor {
  if (!gradEnabled || !inputs.some((x) => x.requiresGrad)) return out;
  out.requiresGrad = true;
  out.gradFn = makeNode(name, inputs, backward, saved);
  return out;
}

/** Gradients the engine created and owns (freed with their tensor or when replaced). */
export const ownedGrads = new WeakSet<Tensor>();

/** Called by Tensor when its storage handle is finally freed: releases the graph it owns. */
export function onTensorFreed(t: Tensor): void {
  const node: GradNode | null = t.gradFn;
  if (node !== null) releaseNode(node);
  const g = t.grad;
  if (g !== null && ownedGrads.has(g)) {
    t.grad = null;
    g.dispose();
  }
}
