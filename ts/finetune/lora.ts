// LoRA (Hu et al. 2021) on nn.Linear with the semantics and names of HuggingFace PEFT: y = W x + b +
// (α/r)·B A dropout(x), A ∈ ℝ^{r×in} Kaiming-uniform (a = √5), B ∈ ℝ^{out×r} zeros (so the adapted
// model starts equal to the base), merge() folds (α/r)·BA into W and unmerge() takes it out again.
// applyLoRA swaps matching Linear children for LoRALinear wrappers and freezes every other parameter.

import { check, checkOptions } from '../errors.js';
import { tidy } from '../lifetime.js';
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/tape.js';
import { Module, type AnyModule, type StateDict } from '../nn/module.js';
import { Linear } from '../nn/layers/linear.js';
import { dropout } from '../nn/functional/dropout.js';
import { kaimingUniform } from '../nn/init.js';
import { zeros } from '../ops/creation.js';
import { writeParam } from '../optim/optimizer.js';
import { matchesAny } from './freeze.js';

export interface LoRAOptions {
  /** Rank r of the update (default 8). */
  rank?: number;
  /** Scale numerator: the update is multiplied by alpha / rank (default 8, PEFT's lora_alpha). */
  alpha?: number;
  /** Dropout on the adapter's input (default 0). */
  dropout?: number;
}

function resolve(where: string, opts: LoRAOptions | undefined) {
  checkOptions(where, opts, ['rank', 'alpha', 'dropout']);
  const { rank = 8, alpha = 8, dropout: p = 0 } = opts ?? {};
  check(Number.isInteger(rank) && rank > 0, 'BAD_OPTION', () => `${where}: 'rank' expected a positive integer, got ${String(rank)}`);
  check(typeof alpha === 'number' && Number.isFinite(alpha), 'BAD_OPTION', () => `${where}: 'alpha' expected a finite number, got ${String(alpha)}`);
  check(typeof p === 'number' && p >= 0 && p < 1, 'BAD_OPTION', () => `${where}: 'dropout' expected a number in [0, 1), got ${String(p)}`);
  return { rank, alpha, dropout: p };
}

export class LoRALinear extends Module {
  readonly rank: number;
  readonly scaling: number;
  readonly dropoutP: number;
  /** True while (α/r)·BA is folded into the base weight. */
  merged = false;

  constructor(base: Linear, opts?: LoRAOptions) {
    super();
    check(base instanceof Linear, 'BAD_ARGUMENT', () => `LoRALinear: expected an nn.Linear, got ${String(base)}`);
    const o = resolve('LoRALinear', opts);
    this.rank = o.rank;
    this.scaling = o.alpha / o.rank;
    this.dropoutP = o.dropout;
    const w = base.weight;
    const like = { dtype: w.dtype, device: w.device };
    this.registerModule('base', base);
    this.registerParameter('lora_A', kaimingUniform(zeros([o.rank, base.inFeatures], like), { a: Math.sqrt(5) }));
    this.registerParameter('lora_B', zeros([base.outFeatures, o.rank], like));
    for (const p of base.parameters()) p.requiresGrad = false;
  }

  get base(): Linear { return this.child('base') as Linear; }
  get loraA(): Tensor { return this.param('lora_A')!; }
  get loraB(): Tensor { return this.param('lora_B')!; }

  forward(x: Tensor): Tensor {
    const y = this.base.forward(x);
    if (this.merged) return y;
    const h = dropout(x, this.dropoutP, this.training && this.dropoutP > 0);
    return y.add(h.matmul(this.loraA.transpose()).matmul(this.loraB.transpose()).mul(this.scaling));
  }

  /** W ← W + (α/r)·BA; forward then skips the adapter path (same output, one GEMM). */
  merge(): void {
    check(!this.merged, 'BAD_ARGUMENT', () => 'LoRALinear.merge: already merged');
    this.fold(1);
    this.merged = true;
  }

  /** W ← W − (α/r)·BA, undoing merge (the adapters can then be trained or swapped again). */
  unmerge(): void {
    check(this.merged, 'BAD_ARGUMENT', () => 'LoRALinear.unmerge: not merged');
    this.fold(-1);
    this.merged = false;
  }

  private fold(sign: number): void {
    const w = this.base.weight;
    tidy(() => noGrad(() => writeParam(w, w.add(this.loraB.matmul(this.loraA).mul(sign * this.scaling)))));
  }

  override extraRepr(): string {
    return `rank=${this.rank}, scaling=${this.scaling}, dropout=${this.dropoutP}, merged=${this.merged}`;
  }
}

/**
 * Wraps every Linear whose dotted name matches one of `targets` (glob patterns, `*` = any run of
 * characters; default every Linear) in a LoRALinear, and freezes all other parameters. Returns the
 * wrapped names. (PEFT's get_peft_model with target_modules.)
 * @example finetune.applyLoRA(net, { targets: ['*fc*'], rank: 4, alpha: 8 })
 */
export function applyLoRA(model: AnyModule, opts?: LoRAOptions & { targets?: string[] }): string[] {
  const { targets = ['*'], ...lora } = opts ?? {};
  checkOptions('applyLoRA', opts, ['rank', 'alpha', 'dropout', 'targets']);
  resolve('applyLoRA', lora);
  check(model instanceof Module, 'BAD_ARGUMENT', () => `applyLoRA: expected an nn.Module, got ${String(model)}`);
  check(Array.isArray(targets) && targets.every((t) => typeof t === 'string'), 'BAD_OPTION', () => "applyLoRA: 'targets' expected an array of name patterns");
  const chosen = model.namedModules().filter(([name, m]) => name !== '' && m instanceof Linear && matchesAny(name, targets));
  check(chosen.length > 0, 'BAD_ARGUMENT', () => `applyLoRA: no Linear module matches ${JSON.stringify(targets)}`);
  const owners = new Map(model.namedModules());
  for (const p of model.parameters()) p.requiresGrad = false;
  for (const [name, m] of chosen) {
    const dot = name.lastIndexOf('.');
    owners.get(dot < 0 ? '' : name.slice(0, dot))!.replaceModule(name.slice(dot + 1), new LoRALinear(m as Linear, lora));
  }
  return chosen.map(([n]) => n);
}

const isAdapter = (name: string) => /(^|\.)lora_[AB]$/.test(name);

/** The adapter parameters only (what the optimizer should get). */
export function loraParameters(model: AnyModule): Tensor[] {
  return model.namedParameters().filter(([n]) => isAdapter(n)).map(([, p]) => p);
}

/** The adapters' entries of model.stateDict() (PEFT's get_peft_model_state_dict). */
export function loraStateDict(model: AnyModule): StateDict {
  const sd = model.stateDict();
  for (const [n, t] of Object.entries(sd)) if (!isAdapter(n)) { t.dispose(); delete sd[n]; } // views: the rest would leak
  return sd;
}

/** Loads adapter weights saved by loraStateDict into a model with the same adapters. */
export function loadLoraStateDict(model: AnyModule, sd: StateDict): void {
  const names = Object.keys(sd ?? {});
  check(names.length > 0 && names.every(isAdapter), 'BAD_ARGUMENT',
    () => `loadLoraStateDict: expected only lora_A / lora_B entries, got ${names.filter((n) => !isAdapter(n)).join(', ') || 'none'}`);
  const mine = new Set(model.namedParameters().map(([n]) => n));
  const missing = names.filter((n) => !mine.has(n));
  check(missing.length === 0, 'BAD_ARGUMENT', () => `loadLoraStateDict: the model has no adapter ${missing.join(', ')}`);
  model.loadStateDict(sd, { strict: false });
}
