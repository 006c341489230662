// Block-wise fine-tuning: freeze / unfreeze parameters by dotted-name glob patterns ('*' matches
// any run of characters, so 'layers.0.*' or '*bias'), and a schedule that unfreezes groups at
// given epochs (gradual unfreezing, Howard & Ruder 2018). A frozen parameter has requiresGrad
// false, so it gets no .grad and optimizers skip it.

import { check } from '../errors.js';
import { Module, type AnyModule } from '../nn/module.js';

const globs = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let re = globs.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    globs.set(pattern, re);
  }
  return re;
}

export const matchesAny = (name: string, patterns: readonly string[]): boolean => patterns.some((p) => glob(p).test(name));

function checkPatterns(where: string, model: unknown, patterns: unknown): asserts patterns is string[] {
  check(model instanceof Module, 'BAD_ARGUMENT', () => `${where}: expected an nn.Module, got ${String(model)}`);
  check(Array.isArray(patterns) && patterns.length > 0 && patterns.every((p) => typeof p === 'string' && p.length > 0), 'BAD_ARGUMENT',
    () => `${where}: expected a non-empty array of name patterns, got ${JSON.stringify(patterns)}`);
}

/**
 * Sets requiresGrad on the parameters whose names match; returns their names. Matching nothing
 * is an error (a typo would otherwise silently train everything).
 * @example finetune.setTrainable(net, ['0.*'], false) // freeze the first block
 */
export function setTrainable(model: AnyModule, patterns: string[], trainable: boolean): string[] {
  checkPatterns('setTrainable', model, patterns);
  check(typeof trainable === 'boolean', 'BAD_ARGUMENT', () => `setTrainable: expected trainable as a boolean, got ${String(trainable)}`);
  const hits = model.namedParameters().filter(([n]) => matchesAny(n, patterns));
  check(hits.length > 0, 'BAD_ARGUMENT', () => `setTrainable: no parameter matches ${JSON.stringify(patterns)}`);
  for (const [, p] of hits) p.requiresGrad = trainable;
  return hits.map(([n]) => n);
}

/** Names of the parameters that currently require grad. */
export const trainableNames = (model: AnyModule): string[] => model.namedParameters().filter(([, p]) => p.requiresGrad).map(([n]) => n);

/**
 * Gradual unfreezing: every parameter named in the schedule starts frozen; `step(epoch)` unfreezes
 * the groups whose epoch has come. Parameters outside the schedule are left as they are.
 * @example const s = new finetune.UnfreezeSchedule(net, [{ epoch: 0, patterns: ['2.*'] }, { epoch: 1, patterns: ['0.*'] }])
 */
export class UnfreezeSchedule {
  private readonly stages: { epoch: number; patterns: string[] }[];

  constructor(readonly model: AnyModule, stages: { epoch: number; patterns: string[] }[]) {
    check(Array.isArray(stages) && stages.length > 0, 'BAD_ARGUMENT', () => 'UnfreezeSchedule: expected a non-empty array of { epoch, patterns }');
    stages.forEach((s, i) => {
      check(s !== null && typeof s === 'object' && Number.isInteger(s.epoch) && s.epoch >= 0, 'BAD_ARGUMENT',
        () => `UnfreezeSchedule: stage ${i} expected an integer epoch ≥ 0, got ${JSON.stringify(s?.epoch)}`);
      checkPatterns('UnfreezeSchedule', model, s.patterns);
    });
    this.stages = stages.map((s) => ({ epoch: s.epoch, patterns: [...s.patterns] }));
    setTrainable(model, this.stages.flatMap((s) => s.patterns), false);
  }

  /** Unfreezes every stage with epoch ≤ `epoch`; returns the names trainable afterwards. */
  step(epoch: number): string[] {
    check(Number.isInteger(epoch) && epoch >= 0, 'BAD_ARGUMENT', () => `UnfreezeSchedule.step: expected an integer epoch ≥ 0, got ${String(epoch)}`);
    for (const s of this.stages) if (s.epoch <= epoch) setTrainable(this.model, s.patterns, true);
    return trainableNames(this.model);
  }
}
