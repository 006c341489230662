// fit's options, checked in full before anything runs or is written: a bad option is a
// DescentError naming it and what was expected.

import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import { DescentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { DataLoader } from '../data/dataset.js';
import { nodeModule } from '../io/node.js';

export type Scheduler = optim.lrScheduler.LRScheduler | optim.lrScheduler.ReduceLROnPlateau;
export type Metric = 'accuracy' | 'loss';
export type LossFn = (logits: Tensor, target: Tensor) => Tensor;

export interface EpochLog { epoch: number; trainLoss: number; valLoss?: number; valAccuracy?: number; seconds: number; lr: number }
export interface BatchInfo { epoch: number; batch: number; batches: number; loss: number; step: number }
/** Hooks fit calls; returning false stops training (after the current batch or epoch). */
export interface Callback { onBatchEnd?(i: BatchInfo): void | boolean; onEpochEnd?(log: EpochLog): void | boolean }
export interface EarlyStopping { monitor: 'valLoss' | 'valAccuracy'; patience: number; minDelta?: number; mode?: 'min' | 'max' }

export interface FitOptions {
  train: DataLoader; val?: DataLoader; epochs: number;
  lossFn?: LossFn; metrics?: Metric[];
  scheduler?: Scheduler; schedulerStep?: 'batch' | 'epoch'; clipGradNorm?: number;
  earlyStopping?: EarlyStopping; callbacks?: Callback[];
  checkpoint?: { path: string; every?: number }; resume?: string;
  maxSteps?: number; maxSeconds?: number;
}

const KEYS = ['train', 'val', 'epochs', 'lossFn', 'metrics', 'scheduler', 'schedulerStep', 'clipGradNorm',
  'earlyStopping', 'callbacks', 'checkpoint', 'resume', 'maxSteps', 'maxSeconds'];
const W = 'fit';
const fail = (msg: string): never => { throw new DescentError('BAD_OPTION', `${W}: ${msg}`); };
const positiveInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;

function checkKeys(where: string, o: object, allowed: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`unknown option '${where}${k}'; expected ${allowed.join(', ')}`);
}

/** A folder fit can write checkpoints into: it exists as a folder, or its parent is writable. */
function checkWritableDir(path: string): void {
  const fs = nodeModule('fs', W, 'no checkpoint option');
  const p = nodeModule('path', W, 'no checkpoint option');
  const target = fs.existsSync(path) ? path : p.dirname(p.resolve(path));
  if (fs.existsSync(path) && !fs.statSync(path).isDirectory()) fail(`checkpoint.path '${path}' is a file; expected a folder`);
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch {
    fail(`checkpoint.path '${path}' cannot be written ('${target}' is missing or not writable)`);
  }
}

function checkEarlyStopping(es: EarlyStopping, metrics: Metric[], hasVal: boolean): void {
  if (es === null || typeof es !== 'object') fail('earlyStopping must be {monitor, patience, minDelta?, mode?}');
  checkKeys('earlyStopping.', es, ['monitor', 'patience', 'minDelta', 'mode']);
  if (es.monitor !== 'valLoss' && es.monitor !== 'valAccuracy') fail(`earlyStopping.monitor must be 'valLoss' or 'valAccuracy', got ${String(es.monitor)}`);
  if (!hasVal) fail('earlyStopping needs a val loader');
  if (!metrics.includes(es.monitor === 'valLoss' ? 'loss' : 'accuracy')) fail(`earlyStopping monitors ${es.monitor}, which metrics ${JSON.stringify(metrics)} do not compute`);
  if (!Number.isSafeInteger(es.patience) || es.patience < 0) fail(`earlyStopping.patience must be a non-negative integer, got ${String(es.patience)}`);
  if (es.minDelta !== undefined && !(typeof es.minDelta === 'number' && es.minDelta >= 0 && Number.isFinite(es.minDelta))) fail(`earlyStopping.minDelta must be a finite number ≥ 0, got ${String(es.minDelta)}`);
  if (es.mode !== undefined && es.mode !== 'min' && es.mode !== 'max') fail(`earlyStopping.mode must be 'min' or 'max', got ${String(es.mode)}`);
}

function checkScheduler(o: FitOptions, optimizer: optim.Optimizer): void {
  const { scheduler: s, schedulerStep } = o;
  if (schedulerStep !== undefined && schedulerStep !== 'batch' && schedulerStep !== 'epoch') fail(`schedulerStep must be 'batch' or 'epoch', got ${String(schedulerStep)}`);
  if (s === undefined) {
    if (schedulerStep !== undefined) fail('schedulerStep given without a scheduler');
    return;
  }
  const plateau = s instanceof optim.lrScheduler.ReduceLROnPlateau;
  if (!plateau && !(s instanceof optim.lrScheduler.LRScheduler)) fail('scheduler must be an optim.lrScheduler scheduler');
  if (s.optimizer !== optimizer) fail('scheduler must drive the optimizer passed to fit');
  if (plateau && schedulerStep === 'batch') fail("ReduceLROnPlateau steps on the validation loss once per epoch; schedulerStep 'batch' does not apply");
  if (plateau && o.val === undefined) fail('ReduceLROnPlateau needs a val loader (it steps on the validation loss)');
}

/** Checks everything fit is given; returns the metrics in use. */
export function checkFitOptions(model: nn.Module, optimizer: optim.Optimizer, o: FitOptions): Metric[] {
  if (!(model instanceof nn.Module)) throw new DescentError('BAD_ARGUMENT', `${W}: expected an nn.Module, got ${typeof model}`);
  if (!(optimizer instanceof optim.Optimizer)) throw new DescentError('BAD_ARGUMENT', `${W}: expected an optim.Optimizer, got ${typeof optimizer}`);
  if (o === null || typeof o !== 'object') fail('expected options {train, epochs, ...}');
  checkKeys('', o, KEYS);
  if (!(o.train instanceof DataLoader)) fail('train must be a DataLoader');
  if (o.val !== undefined && !(o.val instanceof DataLoader)) fail('val must be a DataLoader');
  if (!positiveInt(o.epochs)) fail(`epochs must be a positive integer, got ${String(o.epochs)}`);
  if (o.lossFn !== undefined && typeof o.lossFn !== 'function') fail('lossFn must be a function (logits, target) => loss');
  const metrics = o.metrics ?? ['loss', 'accuracy'];
  if (!Array.isArray(metrics) || metrics.some((m) => m !== 'loss' && m !== 'accuracy')) fail(`metrics must be a list of 'loss' and 'accuracy', got ${JSON.stringify(metrics)}`);
  checkScheduler(o, optimizer);
  if (o.clipGradNorm !== undefined && !(typeof o.clipGradNorm === 'number' && o.clipGradNorm > 0 && Number.isFinite(o.clipGradNorm))) fail(`clipGradNorm must be a finite number > 0, got ${String(o.clipGradNorm)}`);
  if (o.earlyStopping !== undefined) checkEarlyStopping(o.earlyStopping, metrics, o.val !== undefined);
  if (o.callbacks !== undefined && (!Array.isArray(o.callbacks) || o.callbacks.some((c) => c === null || typeof c !== 'object'))) fail('callbacks must be a list of {onBatchEnd?, onEpochEnd?} objects');
  for (const c of o.callbacks ?? []) checkKeys('callbacks[].', c, ['onBatchEnd', 'onEpochEnd']);
  if (o.checkpoint !== undefined) {
    if (o.checkpoint === null || typeof o.checkpoint !== 'object' || typeof o.checkpoint.path !== 'string' || o.checkpoint.path === '') fail('checkpoint must be {path: folder, every?}');
    checkKeys('checkpoint.', o.checkpoint, ['path', 'every']);
    if (o.checkpoint.every !== undefined && !positiveInt(o.checkpoint.every)) fail(`checkpoint.every must be a positive integer, got ${String(o.checkpoint.every)}`);
    checkWritableDir(o.checkpoint.path);
  }
  if (o.resume !== undefined && (typeof o.resume !== 'string' || o.resume === '')) fail('resume must be a checkpoint folder path');
  if (o.maxSteps !== undefined && !positiveInt(o.maxSteps)) fail(`maxSteps must be a positive integer, got ${String(o.maxSteps)}`);
  if (o.maxSeconds !== undefined && !(typeof o.maxSeconds === 'number' && o.maxSeconds > 0)) fail(`maxSeconds must be a number > 0, got ${String(o.maxSeconds)}`);
  return metrics;
}
