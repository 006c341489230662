// Recurrent layers: Elman RNN (tanh or relu) and LSTM (Hochreiter & Schmidhuber 1997, with
// torch's gate order i, f, g, o), stacked numLayers deep, with torch's parameter names
// (weight_ih_l0, ...), init U(±1/√hidden), and [L, N, ·] layout unless batchFirst.

import { check, fmtShape } from '../../errors.js';
import { zeros } from '../../ops/creation.js';
import { add, mul, relu, sigmoid, tanh } from '../../ops/elementwise.js';
import { chunk, stack } from '../../ops/join.js';
import { narrow, squeeze, transpose, unsqueeze } from '../../ops/shape.js';
import type { Tensor } from '../../tensor.js';
import { dropout } from '../functional/dropout.js';
import { linear } from '../functional/linear.js';
import { checkInput, composite, prob } from '../functional/util.js';
import { uniform } from '../init.js';
import { Module } from '../module.js';
import { type Factory, type FactoryOptions, blank, bool, factory, positive } from './factory.js';

export interface RNNOptions extends FactoryOptions {
  numLayers?: number; nonlinearity?: 'tanh' | 'relu'; bias?: boolean; batchFirst?: boolean; dropout?: number;
}

type Cell = (xw: Tensor, state: Tensor[], layer: number) => Tensor[];

/** x[i] along dim 0 (a view). */
const select = (x: Tensor, i: number): Tensor => squeeze(narrow(x, 0, i, 1), 0);

abstract class RNNBase extends Module<[Tensor, (Tensor | Tensor[] | null)?], [Tensor, Tensor[]]> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;

  constructor(where: string, gates: number, inputSize: number, hiddenSize: number, opts: RNNOptions | undefined, extra: string[]) {
    super();
    const f: Factory = factory(where, opts, ['numLayers', 'bias', 'batchFirst', 'dropout', ...extra]);
    this.inputSize = positive(where, 'inputSize', inputSize);
    this.hiddenSize = positive(where, 'hiddenSize', hiddenSize);
    this.numLayers = positive(where, 'numLayers', opts?.numLayers ?? 1);
    this.bias = bool(where, 'bias', opts?.bias, true);
    this.batchFirst = bool(where, 'batchFirst', opts?.batchFirst, false);
    this.dropout = prob(where, 'dropout', opts?.dropout ?? 0);
    const k = 1 / Math.sqrt(hiddenSize);
    const u = (shape: number[]) => uniform(blank(shape, f), -k, k);
    for (let l = 0; l < this.numLayers; l++) {
      this.registerParameter(`weight_ih_l${l}`, u([gates * hiddenSize, l === 0 ? inputSize : hiddenSize]));
      this.registerParameter(`weight_hh_l${l}`, u([gates * hiddenSize, hiddenSize]));
      this.registerParameter(`bias_ih_l${l}`, this.bias ? u([gates * hiddenSize]) : null);
      this.registerParameter(`bias_hh_l${l}`, this.bias ? u([gates * hiddenSize]) : null);
    }
  }

  /** h·W_hhᵀ + b_hh of layer l. */
  protected recur(h: Tensor, l: number): Tensor {
    return linear(h, this.param(`weight_hh_l${l}`)!, this.param(`bias_hh_l${l}`));
  }

  /** Runs `cell` over time and layers; `state` holds per-layer [N, H] tensors (one list per kind). */
  protected run(x: Tensor, initial: Tensor[] | null, kinds: number, cell: Cell): [Tensor, Tensor[]] {
    const name = this.constructor.name;
    checkInput(name, x, [2, 3], this.batchFirst ? 'a [N, L, features] or [L, features] input' : 'a [L, N, features] or [L, features] input');
    check(x.shape[x.ndim - 1] === this.inputSize, 'SHAPE_MISMATCH',
      () => `${name}: expected input with ${this.inputSize} features in its last dim, got input of shape ${fmtShape(x.shape)}`);
    return composite(() => this.unroll(x, initial, kinds, cell));
  }

  private unroll(x: Tensor, initial: Tensor[] | null, kinds: number, cell: Cell): [Tensor, Tensor[]] {
    const batched = x.ndim === 3;
    let seq = batched ? (this.batchFirst ? transpose(x, 0, 1) : x) : unsqueeze(x, 1); // [L, N, F]
    const n = seq.shape[1];
    const states = this.initialStates(initial, kinds, n, batched, x);
    const finals: Tensor[][] = [];
    for (let l = 0; l < this.numLayers; l++) {
      if (l > 0 && this.dropout > 0) seq = dropout(seq, this.dropout, this.training);
      const xw = linear(seq, this.param(`weight_ih_l${l}`)!, this.param(`bias_ih_l${l}`)); // all steps at once
      let state = states.map((s) => select(s, l));
      const outs: Tensor[] = [];
      for (let t = 0; t < seq.shape[0]; t++) {
        state = cell(select(xw, t), state, l);
        outs.push(state[0]);
      }
      seq = stack(outs, 0);
      finals.push(state);
    }
    const out = batched ? (this.batchFirst ? transpose(seq, 0, 1) : seq) : squeeze(seq, 1);
    const last = Array.from({ length: kinds }, (_, k) => {
      const s = stack(finals.map((f) => f[k]), 0); // [layers, N, H]
      return batched ? s : squeeze(s, 1);
    });
    return [out, last];
  }

  private initialStates(initial: Tensor[] | null, kinds: number, n: number, batched: boolean, x: Tensor): Tensor[] {
    const shape = [this.numLayers, n, this.hiddenSize];
    if (initial === null) return Array.from({ length: kinds }, () => zeros(shape, { dtype: x.dtype, device: x.device }));
    check(initial.length === kinds, 'BAD_ARGUMENT', () => `${this.constructor.name}: expected ${kinds} initial state tensor(s), got ${initial.length}`);
    return initial.map((h) => {
      const want = batched ? shape : [this.numLayers, this.hiddenSize];
      check(h.ndim === want.length && h.shape.every((s, i) => s === want[i]), 'SHAPE_MISMATCH',
        () => `${this.constructor.name}: expected initial state of shape ${fmtShape(want)}, got ${fmtShape(h.shape)}`);
      return batched ? h : unsqueeze(h, 1);
    });
  }
}

/**
 * Elman RNN: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh). forward(x, h0?) → [output, [hN]].
 * @example const [out, [h]] = new nn.RNN(8, 16).call(x) // x [L, N, 8]
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts?: RNNOptions) {
    super('RNN', 1, inputSize, hiddenSize, opts, ['nonlinearity']);
    this.nonlinearity = opts?.nonlinearity ?? 'tanh';
    check(this.nonlinearity === 'tanh' || this.nonlinearity === 'relu', 'BAD_OPTION',
      () => `RNN: nonlinearity must be 'tanh' or 'relu', got '${String(opts?.nonlinearity)}'`);
  }

  forward(x: Tensor, h0: Tensor | Tensor[] | null = null): [Tensor, Tensor[]] {
    const act = this.nonlinearity === 'tanh' ? tanh : relu;
    const init = h0 === null ? null : Array.isArray(h0) ? h0 : [h0];
    return this.run(x, init, 1, (xw, [h], l) => [act(add(xw, this.recur(h, l)))]);
  }
}

/**
 * LSTM: forward(x, [h0, c0]?) → [output, [hN, cN]].
 * @example const [out, [h, c]] = new nn.LSTM(8, 16, { batchFirst: true }).call(x) // x [N, L, 8]
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts?: Omit<RNNOptions, 'nonlinearity'>) {
    super('LSTM', 4, inputSize, hiddenSize, opts, []);
  }

  forward(x: Tensor, state: Tensor[] | null = null): [Tensor, Tensor[]] {
    return this.run(x, state, 2, (xw, [h, c], l) => {
      const [i, f, g, o] = chunk(add(xw, this.recur(h, l)), 4, -1);
      const c2 = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
      return [mul(sigmoid(o), tanh(c2)), c2];
    });
  }
}
