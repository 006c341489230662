// Recording side of autograd: grad mode and `attach`, which every primitive op calls with its
// VJP rule. The backward pass over these nodes lives in ts/autograd/backward.ts.

import type { Tensor } from '../tensor.js';
import type { GradNode } from './node.js';

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn with gradient recording set to `on`, restoring the previous mode afterwards. */
export function withGradMode<T>(on: boolean, fn: () => T): T {
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

/**
 * Makes `out` a graph node of `inputs` when recording and any input requires grad. The VJP
 * `backward(g)` returns one gradient per input (null when that input gets none), built from
 * differentiable ops so higher-order gradients work.
 */
export function attach(out: Tensor, inputs: readonly Tensor[], backward: (g: Tensor) => (Tensor | null)[], name: string): Tensor {
  if (!gradEnabled || !inputs.some((x) => x.requiresGrad)) return out;
  const node: GradNode = { name, inputs: [...inputs], backward };
  out.requiresGrad = true;
  out.gradFn = node;
  return out;
}
