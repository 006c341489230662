// GradNode: one recorded op in the autograd graph. `backward` maps the output gradient to one
// gradient per input (null where an input needs none). A node holds every tensor its VJP reads
// (its inputs and any extra saved tensors), so disposing those handles — by hand or by tidy() —
// cannot break a later backward; the holds go when the node is released (after backward without
// retainGraph, or when its output tensor is freed). The node never holds its own output: the
// output owns the node, and a backward can only start from a live output.

import type { Tensor } from '../tensor.js';

export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /**
   * null once released: a backward through it is then an error. `needs[i]` says whether input i
   * requires grad; a VJP may return null for an input that does not (skipping, say, a GEMM).
   */
  backward: ((g: Tensor, needs: readonly boolean[]) => (Tensor | null)[]) | null;
  /** Tensors this node holds (see Tensor.hold); emptied on release. */
  saved: Tensor[];
}

export function makeNode(name: string, inputs: readonly Tensor[], backward: GradNode['backward'], extraSaved: readonly Tensor[]): GradNode {
  const saved = [...new Set([...inputs, ...extraSaved])];
  for (const t of saved) t.hold();
  return { name, inputs: [...inputs], backward, saved };
}

/** Drops the VJP closure and the holds (idempotent). Freed saved tensors cascade to their nodes. */
export function releaseNode(node: GradNode): void {
  if (node.backward === null) return;
  node.backward = null;
  const saved = node.saved;
  node.saved = [];
  for (const t of saved) t.releaseHold();
}
