// functionalCall (torch.func.functional_call): runs a module with some parameters replaced by
// given tensors, which may be graph nodes, so gradients flow to them (meta-learning, hypergradients,
// per-example tricks). The module's own parameters are restored afterwards, even on error.

import { check } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { AnyModule, Module } from './module.js';

/**
 * module.forward(...args) with parameters named in `params` (dotted, as namedParameters) swapped in.
 * @example const y = nn.functionalCall(net, { '0.weight': w.sub(g.mul(lr)) }, x) // one inner step
 */
export function functionalCall<In extends unknown[], Out>(module: Module<In, Out>, params: Record<string, Tensor>, ...args: In): Out {
  check(params !== null && typeof params === 'object', 'BAD_ARGUMENT', () => `functionalCall: expected an object of tensors, got ${String(params)}`);
  const owners = new Map<string, AnyModule>(module.namedModules());
  const known = new Set(module.namedParameters().map(([n]) => n));
  const swaps: [AnyModule, string, Tensor][] = [];
  for (const [name, t] of Object.entries(params)) {
    check(known.has(name), 'BAD_ARGUMENT',
      () => `functionalCall: '${name}' is not a parameter of ${module.constructor.name} (has ${[...known].join(', ')})`);
    check(t instanceof Tensor, 'BAD_ARGUMENT', () => `functionalCall: '${name}' must be a Tensor`);
    const dot = name.lastIndexOf('.');
    const owner = owners.get(dot < 0 ? '' : name.slice(0, dot))!;
    const old = owner.param(name.slice(dot + 1))!;
    check(old.ndim === t.ndim && old.shape.every((s, i) => s === t.shape[i]), 'SHAPE_MISMATCH',
      () => `functionalCall: '${name}' has shape [${old.shape.join(', ')}], got [${t.shape.join(', ')}]`);
    swaps.push([owner, name.slice(dot + 1), t]);
  }
  const restore: [AnyModule, string, Tensor | null][] = [];
  try {
    for (const [m, n, t] of swaps) restore.push([m, n, m.replaceParameter(n, t)]);
    return module.forward(...args);
  } finally {
    for (const [m, n, old] of restore.reverse()) m.replaceParameter(n, old);
  }
}
