// Parameter-free modules: Identity, Flatten, Dropout and the activations as modules.

import { check } from '../../errors.js';
import { relu, sigmoid, silu, tanh } from '../../ops/elementwise.js';
import { type GeluOptions, gelu, geluMode } from '../functional/gelu.js';
import { flatten } from '../../ops/shape.js';
import type { Tensor } from '../../tensor.js';
import { dropout } from '../functional/dropout.js';
import { logSoftmax, softmax } from '../functional/softmax.js';
import { prob } from '../functional/util.js';
import { Module } from '../module.js';

export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}

/** Flattens dims startDim..endDim (default 1..-1, keeping the batch dim). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    check(Number.isInteger(startDim) && Number.isInteger(endDim), 'BAD_ARGUMENT',
      () => `Flatten: startDim and endDim must be integers, got ${String(startDim)} and ${String(endDim)}`);
  }

  forward(x: Tensor): Tensor { return flatten(x, this.startDim, this.endDim); }
  override extraRepr(): string { return `startDim=${this.startDim}, endDim=${this.endDim}`; }
}

/** Inverted dropout in train mode, identity in eval; masks come from the seeded stream. */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    this.p = prob('Dropout', 'p', p);
  }

  forward(x: Tensor): Tensor { return dropout(x, this.p, this.training); }
  override extraRepr(): string { return `p=${this.p}`; }
}

/** A module applying a unary function (the activations). */
abstract class Activation extends Module {
  protected abstract fn(x: Tensor): Tensor;
  forward(x: Tensor): Tensor { return this.fn(x); }
}

export class ReLU extends Activation { protected fn(x: Tensor) { return relu(x); } }
/** GELU: exact (erf) by default, as torch; `{ approximate: 'tanh' }` for GPT-2's form. */
export class GELU extends Activation {
  readonly approximate: 'none' | 'tanh';

  constructor(opts?: GeluOptions) {
    super();
    this.approximate = geluMode('GELU', opts);
  }

  protected fn(x: Tensor) { return gelu(x, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}
export class Tanh extends Activation { protected fn(x: Tensor) { return tanh(x); } }
export class Sigmoid extends Activation { protected fn(x: Tensor) { return sigmoid(x); } }
export class SiLU extends Activation { protected fn(x: Tensor) { return silu(x); } }

/** Softmax along `dim` (required, as torch recommends; no implicit dim). */
export class Softmax extends Activation {
  constructor(readonly dim: number) {
    super();
    check(Number.isInteger(dim), 'BAD_ARGUMENT', () => `Softmax: dim must be an integer, got ${String(dim)}`);
  }

  protected fn(x: Tensor) { return softmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

export class LogSoftmax extends Activation {
  constructor(readonly dim: number) {
    super();
    check(Number.isInteger(dim), 'BAD_ARGUMENT', () => `LogSoftmax: dim must be an integer, got ${String(dim)}`);
  }

  protected fn(x: Tensor) { return logSoftmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
