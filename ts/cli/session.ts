// One training run as train and race do it: data, model and optimizer from the command line,
// `fit` with a progress display, and the time and steps to a target validation accuracy.

import * as d from '../index.js';
import { IMAGE_MODELS, type ModelName, imageModel } from './models.js';
import { OPTIMIZERS, type OptimizerSpec, makeOptimizer, specLabel } from './optimizers.js';
import { startProgress } from './progress.js';
import { UsageError } from './args.js';
import { disposeState } from '../toy/run.js';

export interface Data { train: d.data.TensorDataset; val: d.data.TensorDataset; test: d.data.TensorDataset; what: string }

/** Fashion-MNIST: the bundled subset, or the full IDX folder `dir`. */
export async function loadImages(dir: string | undefined, seed: number): Promise<Data> {
  const fm = await d.data.loadFashionMnist({ dir, seed });
  const what = `Fashion-MNIST ${dir ? `from ${dir}` : '(bundled subset)'}: ${fm.train.length} train, ${fm.val.length} validation, ${fm.test.length} test images`;
  return { train: fm.train, val: fm.val, test: fm.test, what };
}

export function disposeData(data: Data): void {
  for (const ds of [data.train, data.val, data.test]) d.dispose(ds.tensors);
}

/** The learning rate a run uses: the spec's own, else --lr, else the middle of the optimizer's grid. */
export function defaultLr(spec: OptimizerSpec, lr?: number): number {
  const grid = OPTIMIZERS[spec.name].grid;
  return (spec.options.lr as number | undefined) ?? lr ?? grid[Math.floor(grid.length / 2)];
}

export interface RunOptions {
  model: ModelName; spec: OptimizerSpec; lr: number; epochs: number; batch: number; seed: number;
  maxSeconds?: number; targetAcc?: number; clip?: number; schedule?: Schedule;
  checkpoint?: string; resume?: string; label?: string;
}

export const SCHEDULES = ['none', 'cosine', 'step', 'onecycle'] as const;
export type Schedule = (typeof SCHEDULES)[number];

export interface RunResult {
  optimizer: string; lr: number; epochs: d.train.EpochLog[]; steps: number; seconds: number;
  timeToTarget: number | null; stepsToTarget: number | null; finalAccuracy: number; stopReason: string;
  model: d.nn.Module;
}

function scheduler(s: Schedule | undefined, opt: d.optim.Optimizer, totalSteps: number, lr: number): d.optim.lrScheduler.LRScheduler | undefined {
  const { lrScheduler } = d.optim;
  if (s === 'cosine') return new lrScheduler.CosineAnnealingLR(opt, { TMax: totalSteps });
  if (s === 'step') return new lrScheduler.StepLR(opt, { stepSize: Math.max(1, Math.floor(totalSteps / 3)), gamma: 0.1 });
  if (s === 'onecycle') return new lrScheduler.OneCycleLR(opt, { maxLr: lr, totalSteps });
  return undefined;
}

/** Trains one model with one optimizer; the caller disposes result.model. */
export async function trainRun(data: Data, o: RunOptions): Promise<RunResult> {
  if (!(IMAGE_MODELS as readonly string[]).includes(o.model)) throw new UsageError(`--model ${o.model} is not an image classifier`);
  d.manualSeed(o.seed);
  const model = imageModel(o.model as (typeof IMAGE_MODELS)[number]);
  let opt: d.optim.Optimizer | undefined;
  try {
    opt = makeOptimizer(o.spec, model.parameters(), { lr: o.lr });
    const train = new d.data.DataLoader(data.train, { batchSize: o.batch, shuffle: true, seed: o.seed });
    const val = new d.data.DataLoader(data.val, { batchSize: 1000 });
    const sched = scheduler(o.schedule, opt, o.epochs * train.length, o.lr);
    const label = o.label ?? `${specLabel(o.spec)} lr=${o.lr}`;
    const total = o.epochs * train.length;
    const bar = startProgress(label, total);
    let trained = 0, timeToTarget: number | null = null, stepsToTarget: number | null = null, lastLoss = NaN;
    const result = await d.train.fit(model, opt, {
      train, val, epochs: o.epochs, maxSeconds: o.maxSeconds, clipGradNorm: o.clip, scheduler: sched,
      schedulerStep: sched ? 'batch' : undefined, checkpoint: o.checkpoint ? { path: o.checkpoint } : undefined, resume: o.resume,
      callbacks: [{
        onBatchEnd: (i) => { lastLoss = i.loss; bar.update(i.step, `loss ${lastLoss.toFixed(3)}`); },
        onEpochEnd: (log) => {
          trained += log.seconds;
          if (timeToTarget === null && o.targetAcc !== undefined && (log.valAccuracy ?? 0) >= o.targetAcc) {
            timeToTarget = trained;
            stepsToTarget = log.epoch * train.length;
          }
          bar.update((log.epoch) * train.length, `epoch ${log.epoch} val acc ${((log.valAccuracy ?? NaN) * 100).toFixed(1)}%`);
        },
      }],
    });
    const last = result.epochs[result.epochs.length - 1];
    const finalAccuracy = last?.valAccuracy ?? NaN;
    bar.stop(`${result.steps} steps, ${trained.toFixed(1)} s, val acc ${(finalAccuracy * 100).toFixed(1)}%`
      + (o.targetAcc !== undefined ? `, target ${timeToTarget === null ? 'not reached' : `at ${(timeToTarget as number).toFixed(1)} s`}` : ''));
    return { optimizer: specLabel(o.spec), lr: o.lr, epochs: result.epochs, steps: result.steps, seconds: trained,
      timeToTarget, stepsToTarget, finalAccuracy, stopReason: result.stopReason, model };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    if (opt) disposeState(opt);
  }
}
