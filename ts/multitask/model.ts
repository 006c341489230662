// A hard-parameter-sharing multi-task network: one shared body, one head per task; forward returns
// the list of task outputs. Also the shared representation, which MGDA-UB differentiates against.

import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Module, type AnyModule } from '../nn/module.js';
import { ModuleList } from '../nn/layers/container.js';

export class MultiTaskNet extends Module<[Tensor], Tensor[]> {
  constructor(body: AnyModule, heads: readonly AnyModule[]) {
    super();
    check(body instanceof Module, 'BAD_ARGUMENT', () => `MultiTaskNet: expected the shared body as a Module, got ${String(body)}`);
    check(Array.isArray(heads) && heads.length > 0 && heads.every((h) => h instanceof Module), 'BAD_ARGUMENT',
      () => 'MultiTaskNet: expected a non-empty array of head Modules');
    this.registerModule('body', body);
    this.registerModule('heads', new ModuleList(heads));
  }

  get body(): AnyModule { return this.child('body') as AnyModule; }
  get heads(): ModuleList { return this.child('heads') as ModuleList; }

  /** The shared representation z = body(x). */
  shared(x: Tensor): Tensor { return this.body.call(x) as Tensor; }

  /** The task outputs for a given shared representation. */
  headsOf(z: Tensor): Tensor[] { return this.heads.children().map((h) => h.call(z) as Tensor); }

  forward(x: Tensor): Tensor[] { return this.headsOf(this.shared(x)); }
}
