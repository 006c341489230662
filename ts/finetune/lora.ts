// LoRA (Hu et al. 2021) on nn.Linear with the semantics and names of HuggingFace PEFT: y = W x + b +
// (α/r)·B A dropout(x), A ∈ ℝ^{r×in} Kaiming-uniform (a = √5), B ∈ ℝ^{out×r} zeros (so the adapted
// model starts equal to the base), merge() folds (α/r)·BA into W and unmerge() takes it out again.
// applyLoRA swaps matching Linear children for LoRALinear wrappers, adds LoRAInProjSlice adapters to
// the q/k/v slices of attention's packed in_proj_weight, and freezes every other parameter.

import { check, checkOptions } from '../errors.js';
import { tidy } from '../lifetime.js';
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/tape.js';
import { Module, type AnyModule, type StateDict } from '../nn/module.js';
import { Linear } from '../nn/layers/linear.js';
import { IN_PROJ_SLICES, MultiheadAttention } from '../nn/layers/attention.js';
import { cat } from '../ops/join.js';
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

/** The adapter pair shared by LoRALinear and LoRAInProjSlice: A, B, the scaled low-rank path, merge. */
abstract class LoRAAdapter<Out extends Tensor | null> extends Module<[Tensor], Out> {
  readonly rank: number;
  readonly scaling: number;
  readonly dropoutP: number;
  /** True while (α/r)·BA is folded into the base weight. */
  merged = false;

  protected constructor(where: string, opts: LoRAOptions | undefined) {
    super();
    const o = resolve(where, opts);
    this.rank = o.rank;
    this.scaling = o.alpha / o.rank;
    this.dropoutP = o.dropout;
  }

  /** Registers lora_A [r, in] (Kaiming-uniform) and lora_B [out, r] (zeros) like `w`. */
  protected registerAdapters(inFeatures: number, outFeatures: number, w: Tensor): void {
    const like = { dtype: w.dtype, device: w.device };
    this.registerParameter('lora_A', kaimingUniform(zeros([this.rank, inFeatures], like), { a: Math.sqrt(5) }));
    this.registerParameter('lora_B', zeros([outFeatures, this.rank], like));
  }

  get loraA(): Tensor { return this.param('lora_A')!; }
  get loraB(): Tensor { return this.param('lora_B')!; }

  /** (α/r)·B A dropout(x): the adapter's contribution to the output. */
  protected lowRank(x: Tensor): Tensor {
    const h = dropout(x, this.dropoutP, this.training && this.dropoutP > 0);
    return h.matmul(this.loraA.transpose()).matmul(this.loraB.transpose()).mul(this.scaling);
  }

  /** W ← W + (α/r)·BA; forward then skips the adapter path (same output, one GEMM less). */
  merge(): void {
    check(!this.merged, 'BAD_ARGUMENT', () => `${this.constructor.name}.merge: already merged`);
    this.fold(1);
    this.merged = true;
  }

  /** W ← W − (α/r)·BA, undoing merge (the adapters can then be trained or swapped again). */
  unmerge(): void {
    check(this.merged, 'BAD_ARGUMENT', () => `${this.constructor.name}.unmerge: not merged`);
    this.fold(-1);
    this.merged = false;
  }

  /** sign·(α/r)·BA, the update merge adds to the base weight. */
  protected update(sign: number): Tensor {
    return this.loraB.matmul(this.loraA).mul(sign * this.scaling);
  }

  protected abstract fold(sign: number): void;

  override extraRepr(): string {
    return `rank=${this.rank}, scaling=${this.scaling}, dropout=${this.dropoutP}, merged=${this.merged}`;
  }
}

export class LoRALinear extends LoRAAdapter<Tensor> {
  constructor(base: Linear, opts?: LoRAOptions) {
    super('LoRALinear', opts);
    check(base instanceof Linear, 'BAD_ARGUMENT', () => `LoRALinear: expected an nn.Linear, got ${String(base)}`);
    this.registerModule('base', base);
    this.registerAdapters(base.inFeatures, base.outFeatures, base.weight);
    for (const p of base.parameters()) p.requiresGrad = false;
  }

  get base(): Linear { return this.child('base') as Linear; }

  forward(x: Tensor): Tensor {
    const y = this.base.forward(x);
    return this.merged ? y : y.add(this.lowRank(x));
  }

  protected fold(sign: number): void {
    const w = this.base.weight;
    tidy(() => noGrad(() => writeParam(w, w.add(this.update(sign)))));
  }
}

/**
 * LoRA on one slice (q, k or v) of a MultiheadAttention's packed in_proj_weight [3E, E], living
 * on the attention as child q_proj / k_proj / v_proj (the attention adds its output to that
 * projection); merge folds (α/r)·BA into the slice's rows. (PEFT targets q_proj, k_proj, v_proj.)
 */
export class LoRAInProjSlice extends LoRAAdapter<Tensor | null> {
  constructor(private readonly attention: MultiheadAttention, readonly slice: 0 | 1 | 2, opts?: LoRAOptions) {
    super('LoRAInProjSlice', opts);
    check(attention instanceof MultiheadAttention && [0, 1, 2].includes(slice), 'BAD_ARGUMENT',
      () => `LoRAInProjSlice: expected an nn.MultiheadAttention and a slice 0 (q), 1 (k) or 2 (v), got ${String(attention)}, ${String(slice)}`);
    const e = attention.embedDim;
    this.registerAdapters(e, e, attention.param('in_proj_weight')!);
  }

  /** The update of this slice's projection, or null while merged (in_proj_weight has it). */
  forward(x: Tensor): Tensor | null {
    return this.merged ? null : this.lowRank(x);
  }

  protected fold(sign: number): void {
    const w = this.attention.param('in_proj_weight')!;
    const e = this.attention.embedDim;
    tidy(() => noGrad(() => {
      const rows = [0, 1, 2].map((i) => (i === this.slice ? this.update(sign) : zeros([e, e], { dtype: w.dtype, device: w.device })));
      writeParam(w, w.add(cat(rows, 0)));
    }));
  }
}

/**
 * Wraps every Linear whose dotted name matches one of `targets` (glob patterns, `*` = any run of
 * characters; default every Linear) in a LoRALinear, gives every MultiheadAttention `<name>` whose
 * `<name>.q_proj`, `.k_proj` or `.v_proj` matches a LoRAInProjSlice there, and freezes all other
 * parameters. Returns the adapted names. (PEFT's get_peft_model with target_modules.)
 * @example finetune.applyLoRA(net, { targets: ['*.q_proj', '*.v_proj'], rank: 4, alpha: 8 })
 */
export function applyLoRA(model: AnyModule, opts?: LoRAOptions & { targets?: string[] }): string[] {
  const { targets = ['*'], ...lora } = opts ?? {};
  checkOptions('applyLoRA', opts, ['rank', 'alpha', 'dropout', 'targets']);
  resolve('applyLoRA', lora);
  check(model instanceof Module, 'BAD_ARGUMENT', () => `applyLoRA: expected an nn.Module, got ${String(model)}`);
  check(Array.isArray(targets) && targets.every((t) => typeof t === 'string'), 'BAD_OPTION', () => "applyLoRA: 'targets' expected an array of name patterns");
  const modules = model.namedModules();
  const linears = modules.filter(([name, m]) => name !== '' && m instanceof Linear && matchesAny(name, targets));
  const slices = modules.flatMap(([name, m]) => (m instanceof MultiheadAttention
    ? IN_PROJ_SLICES.map((s, i) => [name === '' ? s : `${name}.${s}`, m, i] as const).filter(([n]) => matchesAny(n, targets)) : []));
  check(linears.length + slices.length > 0, 'BAD_ARGUMENT', () => `applyLoRA: no Linear or attention q/k/v projection matches ${JSON.stringify(targets)}`);
  check(slices.every(([, m, i]) => !new Map(m.namedChildren()).has(IN_PROJ_SLICES[i])), 'BAD_ARGUMENT',
    () => 'applyLoRA: an attention projection matched already has an adapter');
  const owners = new Map(modules);
  for (const p of model.parameters()) p.requiresGrad = false;
  for (const [name, m] of linears) {
    const dot = name.lastIndexOf('.');
    owners.get(dot < 0 ? '' : name.slice(0, dot))!.replaceModule(name.slice(dot + 1), new LoRALinear(m as Linear, lora));
  }
  for (const [, m, i] of slices) m.registerModule(IN_PROJ_SLICES[i], new LoRAInProjSlice(m, i as 0 | 1 | 2, lora));
  return [...linears.map(([n]) => n), ...slices.map(([n]) => n)];
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
