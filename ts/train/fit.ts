// fit: the training loop of a classifier. Per batch: zeroGrad, forward, loss, backward, optional
// gradient clipping, optimizer step (through a closure, so LBFGS works too), optional scheduler
// step. The loss is summed on the device and read once per epoch, unless a callback asks for each
// batch's loss. Everything made per step is freed, so memory() stays flat.

import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import type { Tensor } from '../tensor.js';
import { dispose, keep, tidy } from '../lifetime.js';
import type { DataLoader } from '../data/dataset.js';
import { accumulate, defaultLoss, evaluate } from './evaluate.js';
import { type Progress, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { type EpochLog, type FitOptions, type Metric, checkFitOptions } from './options.js';

export type StopReason = 'epochs' | 'earlyStopping' | 'callback' | 'maxSteps' | 'maxSeconds';
export interface FitResult { epochs: EpochLog[]; stoppedEarly: boolean; steps: number; stopReason: StopReason }

const now = (): number => performance.now();
const yieldToEventLoop = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

interface EpochRun { trainLoss: number; stop: StopReason | null }

/** One pass over the training loader; returns the mean training loss and why it stopped early, if so. */
async function trainEpoch(model: nn.Module, optimizer: optim.Optimizer, o: FitOptions, epoch: number, p: Progress, t0: number): Promise<EpochRun> {
  const lossFn = o.lossFn ?? defaultLoss;
  const params = model.parameters();
  const batchHooks = (o.callbacks ?? []).filter((c) => c.onBatchEnd !== undefined);
  const loader: DataLoader = o.train;
  loader.setEpoch(epoch - 1);
  model.train();
  let sum: Tensor | null = null, n = 0, batch = 0, lastYield = now();
  let stop: StopReason | null = null;
  try {
    for (const data of loader) {
      // the loop frees the batch itself after the step: the step's sweep must not park it (a copy to the host)
      for (const t of data) keep(t);
      const [x, y] = data;
      const losses: Tensor[] = [];
      try {
        optimizer.step(() => {
          optimizer.zeroGrad();
          const loss = keep(tidy(() => lossFn(model.call(x) as Tensor, y)));
          losses.push(loss);
          loss.backward();
          if (o.clipGradNorm !== undefined) optim.clipGradNormTensor(params, o.clipGradNorm).dispose(); // no host read
          return loss;
        });
        const weighted = tidy(() => losses[0].detach().mul(y.shape[0]));
        sum = accumulate(sum, weighted);
        weighted.dispose();
        n += y.shape[0];
        batch++;
        p.step++;
        if (o.scheduler !== undefined && o.schedulerStep === 'batch') (o.scheduler as optim.lrScheduler.LRScheduler).step();
        if (batchHooks.length > 0) {
          const info = { epoch, batch, batches: loader.length, loss: losses[0].item(), step: p.step };
          for (const c of batchHooks) if (c.onBatchEnd!(info) === false) stop = 'callback';
        }
      } finally {
        dispose([...data, ...losses]);
      }
      if (stop === null && o.maxSteps !== undefined && p.step >= o.maxSteps) stop = 'maxSteps';
      if (stop === null && o.maxSeconds !== undefined && (now() - t0) / 1000 >= o.maxSeconds) stop = 'maxSeconds';
      if (stop !== null) break;
      if (now() - lastYield > 50) { await yieldToEventLoop(); lastYield = now(); }
    }
    return { trainLoss: sum === null ? NaN : sum.item() / n, stop };
  } finally {
    sum?.dispose();
  }
}

/** The epoch's log: training loss, validation metrics in use, time and the first group's lr. */
function epochLog(model: nn.Module, optimizer: optim.Optimizer, o: FitOptions, metrics: Metric[], epoch: number, trainLoss: number, seconds: number): EpochLog {
  const log: EpochLog = { epoch, trainLoss, seconds, lr: optimizer.paramGroups[0].lr };
  if (o.val !== undefined) {
    o.val.setEpoch(epoch - 1);
    const v = evaluate(model, o.val, o.lossFn ?? defaultLoss);
    if (metrics.includes('loss')) log.valLoss = v.loss;
    if (metrics.includes('accuracy')) log.valAccuracy = v.accuracy;
  }
  return log;
}

/** Updates the early-stopping record with this epoch; true when patience has run out. */
function patienceRunOut(o: FitOptions, log: EpochLog, p: Progress): boolean {
  const es = o.earlyStopping;
  if (es === undefined) return false;
  const value = log[es.monitor] as number;
  const sign = (es.mode ?? (es.monitor === 'valLoss' ? 'min' : 'max')) === 'min' ? 1 : -1;
  if (p.best === null || sign * (p.best - value) > (es.minDelta ?? 0)) {
    p.best = value;
    p.wait = 0;
    return false;
  }
  p.wait++;
  return p.wait > es.patience;
}

/**
 * Trains `model` with `optimizer` for `epochs` over `train`, validating on `val` after each epoch.
 * @example const { epochs } = await fit(model, new optim.Adam(model.parameters()), { train, val, epochs: 3 });
 */
export async function fit(model: nn.Module, optimizer: optim.Optimizer, o: FitOptions): Promise<FitResult> {
  const metrics = checkFitOptions(model, optimizer, o);
  const t0 = now();
  const p: Progress = o.resume !== undefined
    ? readCheckpoint(o.resume, model, optimizer, o.scheduler, o.train)
    : { epoch: 0, step: 0, history: [], best: null, wait: 0 };
  let stop: StopReason | null = null;
  while (stop === null && p.epoch < o.epochs) {
    const epoch = p.epoch + 1;
    const started = now();
    const run = await trainEpoch(model, optimizer, o, epoch, p, t0);
    const log = epochLog(model, optimizer, o, metrics, epoch, run.trainLoss, (now() - started) / 1000);
    if (o.scheduler instanceof optim.lrScheduler.ReduceLROnPlateau) o.scheduler.step(log.valLoss ?? NaN);
    else if (o.scheduler !== undefined && o.schedulerStep !== 'batch') o.scheduler.step();
    p.epoch = epoch;
    p.history.push(log);
    stop = run.stop;
    if (patienceRunOut(o, log, p)) stop ??= 'earlyStopping';
    for (const c of o.callbacks ?? []) if (c.onEpochEnd?.(log) === false) stop ??= 'callback';
    const every = o.checkpoint?.every ?? 1;
    if (o.checkpoint !== undefined && (epoch % every === 0 || stop !== null || epoch === o.epochs)) {
      writeCheckpoint(o.checkpoint.path, model, optimizer, o.scheduler, o.train, p);
    }
    await yieldToEventLoop();
  }
  const reason = stop ?? 'epochs';
  return { epochs: p.history, stoppedEarly: reason === 'earlyStopping' || reason === 'callback', steps: p.step, stopReason: reason };
}
