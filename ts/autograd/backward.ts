// The backward pass: walks the GradNodes recorded by `attach` in reverse topological order,
// runs each VJP once on the summed gradient of its output, and hands back the gradients that
// reach leaves (Tensor.backward accumulates them into `.grad`) or chosen targets (the
// functional API). Every intermediate made here is freed before returning; only the final
// gradients survive, as fresh contiguous handles outside any tidy scope.

import { popScope, pushScope, untrack } from '../engine.js';
import { check, checkOptions, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { add } from '../ops/elementwise.js';
import { onesLike, zerosLike } from '../ops/creation.js';
import { clone, to } from '../ops/shape.js';
import { assertTensor, describe } from '../ops/util.js';
import { type GradNode, releaseNode } from './node.js';
import { ownedGrads, withGradMode, withSavedAccess } from './tape.js';
import { profileRegion } from '../profile.js';

/** A leaf is keyed by its tensor, any other graph tensor by the node that made it. */
type Key = GradNode | Tensor;
const keyOf = (t: Tensor): Key => t.gradFn ?? t;

export interface BackwardOptions { retainGraph?: boolean; createGraph?: boolean }

interface RunSpec {
  root: Tensor;
  seed: Tensor;
  /** Keys whose gradient is wanted; null = every leaf that requires grad. */
  targets: Set<Key> | null;
  retainGraph: boolean;
  createGraph: boolean;
}

/**
 * Gradient sums per key, with use counts so a tensor is freed once nothing refers to it. One
 * tensor object may sit under several keys (add's VJP returns [g, g]).
 */
class GradBuffer {
  readonly grads = new Map<Key, Tensor>();
  readonly #uses = new Map<Tensor, number>();
  constructor(readonly foreign: Tensor) {}

  uses(t: Tensor): number { return this.#uses.get(t) ?? 0; }
  pin(t: Tensor): void { this.#uses.set(t, this.uses(t) + 1); }

  /** Drops one use; frees t when none is left (the caller's own gradient is never freed). */
  unpin(t: Tensor, free = true): void {
    const n = this.uses(t) - 1;
    if (n > 0) {
      this.#uses.set(t, n);
      return;
    }
    this.#uses.delete(t);
    if (free && t !== this.foreign) t.dispose();
  }

  add(key: Key, g: Tensor): void {
    const prev = this.grads.get(key);
    const sum = prev === undefined ? g : add(prev, g);
    this.pin(sum);
    this.grads.set(key, sum);
    if (prev !== undefined) this.unpin(prev);
  }

  /** Removes the entry; the caller now owns one use of the tensor (give it back with unpin). */
  take(key: Key): Tensor | undefined {
    const g = this.grads.get(key);
    if (g !== undefined) this.grads.delete(key);
    return g;
  }
}

/**
 * Nodes reachable from root in reverse topological order (a node before every node it feeds),
 * and the tensor each node made (found as the input that points to it; the root's is root).
 */
function topoOrder(root: Tensor, stops: Set<Key> | null): { order: GradNode[]; outputs: Map<GradNode, Tensor> } {
  const start = root.gradFn!;
  const outputs = new Map<GradNode, Tensor>([[start, root]]);
  const post: GradNode[] = [];
  const stack: [GradNode, number][] = [[start, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const node = top[0];
    if (top[1] < node.inputs.length) {
      const t = node.inputs[top[1]++];
      const n = t.gradFn;
      if (t.requiresGrad && n !== null && !outputs.has(n) && !(stops?.has(n) ?? false)) {
        outputs.set(n, t);
        stack.push([n, 0]);
      }
    } else {
      stack.pop();
      post.push(node);
    }
  }
  return { order: post.reverse(), outputs };
}

/** Keeps only the nodes from which some target can be reached (order preserved). */
function pruneToTargets(order: GradNode[], targets: Set<Key>): Set<GradNode> {
  const needed = new Set<GradNode>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    if (node.inputs.some((t) => t.requiresGrad && (targets.has(keyOf(t)) || (t.gradFn !== null && needed.has(t.gradFn))))) {
      needed.add(node);
    }
  }
  return needed;
}

function runNode(node: GradNode, g: Tensor, buf: GradBuffer, wanted: (k: Key) => boolean): void {
  check(node.backward !== null, 'AUTOGRAD', () => `backward: the graph through '${node.name}' was already freed by an ` +
    'earlier backward; pass { retainGraph: true } to that first call to go through the graph twice');
  pushScope();
  let grads: (Tensor | null)[];
  try {
    const vjp = node.backward;
    const needs = node.inputs.map((t) => t.requiresGrad);
    grads = profileRegion('ops', false, () => vjp(g, needs));
  } catch (e) {
    popScope();
    throw e;
  }
  const results = grads.filter((x): x is Tensor => x !== null);
  popScope(results);
  check(grads.length === node.inputs.length, 'AUTOGRAD',
    () => `backward: the VJP of '${node.name}' returned ${grads.length} gradients for ${node.inputs.length} inputs (internal error)`);
  // Pinned while they are stored, so summing into one key cannot free a result another key still needs.
  results.forEach((r) => buf.pin(r));
  node.inputs.forEach((t, i) => {
    const gi = grads[i];
    if (gi === null || !t.requiresGrad || !wanted(keyOf(t))) return;
    check(gi.shape.length === t.shape.length && gi.shape.every((n, j) => n === t.shape[j]), 'AUTOGRAD',
      () => `backward: the VJP of '${node.name}' gave a gradient of shape ${fmtShape(gi.shape)} for input ${i} of shape ${fmtShape(t.shape)} (internal error)`);
    // A gradient has its input's dtype (an f32 leaf mixed with f64 gets an f32 grad, as in PyTorch).
    buf.add(keyOf(t), gi.dtype === t.dtype ? gi : to(gi, t.dtype));
  });
  results.forEach((r) => buf.unpin(r));
  buf.unpin(g);
}

/** A contiguous handle of its own for a final gradient (recorded when building a graph). */
function finalGrad(g: Tensor, buf: GradBuffer): Tensor {
  const own = g !== buf.foreign && buf.uses(g) === 0 && g.isContiguous();
  const out = own ? g : clone(g);
  untrack(out);
  return out;
}

/**
 * Runs the nodes in order. Without retainGraph each node is released as soon as it has run, so
 * saved tensors already disposed by the user (a forward inside tidy) are freed during the pass,
 * not after it. Releasing can free a node's output only once that node has run: the walk holds
 * every output until its own node is done (a node's VJP reads its output; the node never holds it).
 */
function walk(order: GradNode[], outputs: Map<GradNode, Tensor>, buf: GradBuffer, wanted: (k: Key) => boolean, spec: RunSpec): void {
  const held = new Set(order.filter((n) => n.backward !== null).map((n) => outputs.get(n)!));
  held.forEach((t) => t.hold());
  const done = new Set<Tensor>();
  try {
    for (const node of order) {
      const g = buf.take(node);
      if (g !== undefined) {
        const keeper = spec.targets === null ? retained.get(node) : undefined;
        if (keeper !== undefined && !keeper.isDisposed) accumulate(keeper, untrackedCopy(g), spec.createGraph);
        runNode(node, g, buf, wanted);
      }
      if (!spec.retainGraph) releaseNode(node);
      const t = outputs.get(node)!;
      if (held.has(t) && !done.has(t)) {
        done.add(t);
        t.releaseHold();
      }
    }
  } finally {
    for (const t of held) if (!done.has(t)) t.releaseHold();
  }
}

/** Runs the backward pass and returns the final gradient per wanted key (untracked, owned by the caller). */
function run(spec: RunSpec): Map<Key, Tensor> {
  const { root, seed, targets } = spec;
  const buf = new GradBuffer(seed);
  const out = new Map<Key, Tensor>();
  pushScope();
  try {
    withGradMode(spec.createGraph, () => withSavedAccess(() => {
      const rootKey = keyOf(root);
      let order: GradNode[] = [];
      let outputs = new Map<GradNode, Tensor>();
      let wanted: (k: Key) => boolean = () => true;
      if (root.gradFn !== null && !(targets?.has(rootKey) ?? false)) {
        ({ order, outputs } = topoOrder(root, targets));
        if (targets !== null) {
          const needed = pruneToTargets(order, targets);
          order = order.filter((n) => needed.has(n));
          wanted = (k) => targets.has(k) || needed.has(k as GradNode);
        }
      }
      buf.add(rootKey, seed);
      walk(order, outputs, buf, wanted, spec);
      for (const [key, g] of [...buf.grads]) {
        if (!(targets === null ? key instanceof Tensor : targets.has(key))) continue;
        buf.take(key);
        buf.unpin(g, false);
        out.set(key, finalGrad(g, buf));
      }
    }));
  } catch (e) {
    for (const g of out.values()) g.dispose(); // untracked: the scope below would not free them
    throw e;
  } finally {
    popScope();
  }
  return out;
}

function seedFor(root: Tensor, gradient: Tensor | null | undefined, where: string): Tensor {
  if (gradient === undefined || gradient === null) {
    check(root.size === 1, 'AUTOGRAD', () => `${where}: a gradient can be implied only for a one-element output, got shape ` +
      `${fmtShape(root.shape)}; pass the gradient of the output (same shape) as the first argument`);
    return onesLike(root);
  }
  assertTensor(gradient, where, 'gradient');
  check(gradient.shape.length === root.shape.length && gradient.shape.every((n, i) => n === root.shape[i]), 'SHAPE_MISMATCH',
    () => `${where}: gradient shape ${fmtShape(gradient.shape)} must equal the output shape ${fmtShape(root.shape)}`);
  check(gradient.device === root.device, 'DEVICE_MISMATCH',
    () => `${where}: gradient is on '${gradient.device}' but the output is on '${root.device}'`);
  return gradient;
}

function parseOptions(where: string, opts: BackwardOptions | undefined): { retainGraph: boolean; createGraph: boolean } {
  checkOptions(where, opts, ['retainGraph', 'createGraph']);
  const createGraph = opts?.createGraph ?? false;
  const retainGraph = opts?.retainGraph ?? createGraph;
  for (const [k, v] of [['retainGraph', retainGraph], ['createGraph', createGraph]] as const) {
    check(typeof v === 'boolean', 'BAD_OPTION', () => `${where}: ${k} must be a boolean, got ${describe(v)}`);
  }
  return { retainGraph, createGraph };
}

function checkRoot(root: Tensor, where: string): void {
  assertTensor(root, where, 'output');
  check(root.requiresGrad, 'AUTOGRAD', () => `${where}: ${describe(root)} does not require grad and has no gradFn; ` +
    'set requiresGrad on a leaf it depends on (x.requiresGrad_()) and compute it outside noGrad');
}

/**
 * Accumulates d(root)/d(leaf) · gradient into `.grad` of every leaf the root depends on that
 * requires grad. With createGraph the backward pass is itself recorded (higher-order grads).
 * @example const loss = x.square().sum(); loss.backward(); x.grad // 2·x
 */
export function backward(root: Tensor, gradient?: Tensor | null, opts?: BackwardOptions): void {
  profileRegion('autograd', false, () => backwardPass(root, gradient, opts));
}

function backwardPass(root: Tensor, gradient: Tensor | null | undefined, opts: BackwardOptions | undefined): void {
  checkRoot(root, 'backward');
  const o = parseOptions('backward', opts);
  const seed = seedFor(root, gradient, 'backward');
  const made = seed !== gradient;
  if (made) untrack(seed);
  try {
    // every sum is made before any .grad is written: out of memory half-way accumulates nothing
    const grads = [...run({ root, seed, targets: null, ...o })] as [Tensor, Tensor][];
    const sums: Tensor[] = [];
    try {
      for (const [leaf, g] of grads) sums.push(summed(leaf, g, o.createGraph));
    } catch (e) {
      for (const t of [...sums, ...grads.slice(sums.length + 1).map(([, g]) => g)]) t.dispose();
      throw e;
    }
    grads.forEach(([leaf], i) => store(leaf, sums[i], o.createGraph));
  } finally {
    if (made) seed.dispose();
  }
}

/**
 * leaf.grad += g. Like PyTorch, the sum goes into the existing `.grad` in place (its identity and
 * any handle on it see the update) unless a graph is being built, the tensor is part of a graph
 * or saved by one, or its layout differs; then `.grad` is replaced (an engine-owned one is freed).
 */
function accumulate(leaf: Tensor, g: Tensor, createGraph: boolean): void {
  store(leaf, summed(leaf, g, createGraph), createGraph);
}

/** leaf.grad + g, untracked (g itself when there is no gradient yet); consumes g. */
function summed(leaf: Tensor, g: Tensor, createGraph: boolean): Tensor {
  const prev = leaf.grad;
  if (prev === null || prev.isDisposed) return g;
  try {
    const sum = withGradMode(createGraph, () => add(prev, g));
    untrack(sum);
    return sum;
  } finally {
    g.dispose();
  }
}

/** Makes `sum` (from summed) leaf's gradient: in place into the old one where it can, else replacing it. */
function store(leaf: Tensor, sum: Tensor, createGraph: boolean): void {
  const prev = leaf.grad;
  if (prev === null || prev.isDisposed) {
    leaf.grad = sum;
    ownedGrads.add(sum);
    return;
  }
  const inPlace = !createGraph && prev.gradFn === null && !prev.requiresGrad && !prev.isHeld && prev.isContiguous()
    && prev.dtype === sum.dtype && prev.device === sum.device && prev.shape.length === sum.shape.length
    && prev.shape.every((n, i) => n === sum.shape[i]);
  if (inPlace) {
    prev.backend.copy(sum, prev);
    sum.dispose();
    return;
  }
  if (ownedGrads.has(prev)) prev.dispose();
  leaf.grad = sum;
  ownedGrads.add(sum);
}

/**
 * Gradients of `root` with respect to `inputs` (any graph tensors), without touching `.grad`
 * (PyTorch's torch.autograd.grad). Inputs the root does not depend on get zeros.
 */
export function gradients(root: Tensor, inputs: readonly Tensor[], gradient?: Tensor | null, opts?: BackwardOptions): Tensor[] {
  checkRoot(root, 'gradients');
  const o = parseOptions('gradients', opts);
  check(Array.isArray(inputs), 'BAD_ARGUMENT', () => `gradients: expected inputs to be an array of tensors, got ${describe(inputs)}`);
  inputs.forEach((t, i) => {
    assertTensor(t, 'gradients', `inputs[${i}]`);
    check(t.requiresGrad, 'AUTOGRAD', () => `gradients: inputs[${i}] (${describe(t)}) does not require grad`);
  });
  const seed = seedFor(root, gradient, 'gradients');
  const made = seed !== gradient;
  if (made) untrack(seed);
  try {
    const grads = run({ root, seed, targets: new Set(inputs.map(keyOf)), ...o });
    return inputs.map((t, i) => {
      const g = grads.get(keyOf(t));
      if (g === undefined) return withGradMode(false, () => untrackZeros(t));
      // One key may be asked for twice: the second asker gets its own handle.
      if (inputs.indexOf(t) !== i || inputs.findIndex((u) => keyOf(u) === keyOf(t)) !== i) return untrackedCopy(g);
      return g;
    });
  } finally {
    if (made) seed.dispose();
  }
}

function untrackZeros(t: Tensor): Tensor {
  const z = zerosLike(t);
  untrack(z);
  return z;
}

function untrackedCopy(g: Tensor): Tensor {
  const a = clone(g);
  untrack(a);
  return a;
}

/** Non-leaf tensors whose gradient backward keeps in `.grad` (retainGrad), by their node. */
const retained = new WeakMap<GradNode, Tensor>();

/** Makes backward keep this non-leaf tensor's gradient in `.grad` (PyTorch's retain_grad); returns t. */
export function retainGrad(t: Tensor): Tensor {
  assertTensor(t, 'retainGrad');
  check(t.requiresGrad, 'AUTOGRAD', () => `retainGrad: ${describe(t)} does not require grad`);
  if (t.gradFn !== null) retained.set(t.gradFn, t);
  return t;
}

/** Sets requiresGrad in place and returns the tensor (PyTorch's requires_grad_). Leaves only. */
export function requiresGrad_(t: Tensor, on = true): Tensor {
  assertTensor(t, 'requiresGrad_');
  check(typeof on === 'boolean', 'BAD_ARGUMENT', () => `requiresGrad_: expected a boolean, got ${describe(on)}`);
  check(!on || t.dtype !== 'i32', 'BAD_DTYPE', () => 'requiresGrad_: only floating-point tensors can require gradients, got dtype i32');
  check(on || t.gradFn === null, 'AUTOGRAD',
    () => `requiresGrad_: ${describe(t)} is the output of '${t.gradFn?.name}', not a leaf; use detach() to cut it from the graph`);
  t.requiresGrad = on;
  return t;
}
