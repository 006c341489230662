// Containers: Sequential (chains its children's forward) and ModuleList (indexable children).

import { DescentError, check } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { type AnyModule, Module } from '../module.js';

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
    let y = x;
    for (const m of this.children()) y = m.forward(y);
    return y;
  }
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
