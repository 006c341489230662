// Containers: Sequential (chains its children's forward, a Linear and the ReLU/GELU after it as one
// fused op) and ModuleList (indexable children).

import { DescentError, check } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { type LinearActivation, linearActivation } from '../functional/linear.js';
import { type AnyModule, Module } from '../module.js';
import { GELU, ReLU } from './basic.js';
import { Linear } from './linear.js';

/**
 * Runs its modules in order, each on the previous output. Children are named "0", "1", ...
 * @example const mlp = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
 */
export class Sequential extends Module {
  constructor(...layers: AnyModule[]) {
    super();
    layers.forEach((m) => this.append(m));
  }

  append(m: AnyModule): this {
    this.registerModule(String(this.length), m);
    return this;
  }

  get length(): number { return this.children().length; }

  /** The i-th module (negative counts from the end). */
  at(i: number): AnyModule {
    const kids = this.children();
    const j = i < 0 ? i + kids.length : i;
    check(Number.isInteger(j) && j >= 0 && j < kids.length, 'INDEX_OUT_OF_RANGE',
      () => `Sequential.at: index ${i} is out of range for ${kids.length} modules`);
    return kids[j];
  }

  forward(x: Tensor): Tensor {
    const kids = this.children();
    let y = x;
    for (let i = 0; i < kids.length; i++) {
      const act = i + 1 < kids.length ? fusedActivation(kids[i], kids[i + 1]) : null;
      if (act === null) {
        y = kids[i].forward(y);
      } else {
        const fc = kids[i++] as Linear;
        y = linearActivation(y, fc.weight, fc.bias, act);
      }
    }
    return y;
  }
}

/**
 * 'relu' or 'gelu' when `m` is an nn.Linear and `next` an nn.ReLU or exact nn.GELU, which run as one
 * linearActivation (one GEMM pass with the activation in its epilogue, same bits); else null.
 * Exact classes only: a subclass may override forward.
 */
function fusedActivation(m: AnyModule, next: AnyModule): LinearActivation | null {
  if (m.constructor !== Linear) return null;
  if (next.constructor === ReLU) return 'relu';
  return next.constructor === GELU && (next as GELU).approximate === 'none' ? 'gelu' : null;
}

/** A list of modules registered as children "0", "1", ...; it has no forward of its own. */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<never[], never> {
  constructor(modules: readonly M[] = []) {
    super();
    modules.forEach((m) => this.append(m));
  }

  append(m: M): this {
    this.registerModule(String(this.length), m);
    return this;
  }

  get length(): number { return this.children().length; }

  at(i: number): M {
    const kids = this.children() as M[];
    const j = i < 0 ? i + kids.length : i;
    check(Number.isInteger(j) && j >= 0 && j < kids.length, 'INDEX_OUT_OF_RANGE',
      () => `ModuleList.at: index ${i} is out of range for ${kids.length} modules`);
    return kids[j];
  }

  [Symbol.iterator](): Iterator<M> {
    return (this.children() as M[])[Symbol.iterator]();
  }

  /** A list has no forward (as in torch): iterate over it in the owner's forward. */
  forward(): never {
    throw new DescentError('UNSUPPORTED', 'ModuleList has no forward(); call its modules from the owning module');
  }
}
