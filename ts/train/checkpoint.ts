// Checkpoints of fit: a folder with model.safetensors (the model's stateDict under PyTorch key
// names, readable by Python's safetensors) and state.json (epoch, step, history, optimizer,
// scheduler, the global RNG, early stopping and the loader settings). Each file is written
// atomically; both carry the step, so a pair torn by a crash between the two renames is refused.

import type * as nn from '../nn/index.js';
import type * as optim from '../optim/index.js';
import { DescentError } from '../errors.js';
import { dispose } from '../lifetime.js';
import { getRngState, setRngState } from '../ops/random.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { nodeModule, readFileBytes, writeFileAtomic } from '../io/node.js';
import type { DataLoader } from '../data/dataset.js';
import type { EpochLog, Scheduler } from './options.js';

const FORMAT = 'descent-checkpoint';

/** Where fit stands between epochs. */
export interface Progress { epoch: number; step: number; history: EpochLog[]; best: number | null; wait: number }

interface StateFile extends Progress {
  format: string; version: 1;
  optimizer: optim.OptimizerStateDict; scheduler: unknown; rng: ReturnType<typeof getRngState>;
  loader: { batchSize: number; shuffle: boolean; seed: number; dropLast: boolean };
}

const loaderSettings = (l: DataLoader): StateFile['loader'] => ({ batchSize: l.batchSize, shuffle: l.shuffle, seed: l.seed, dropLast: l.dropLast });
// JSON has no NaN or ±Infinity: spell them as strings and read them back (history, best).
const numbersOut = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);
const numbersIn = (_k: string, v: unknown): unknown => (v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v);

/** Writes the checkpoint folder `dir` (created if missing). */
export function writeCheckpoint(dir: string, model: nn.Module, optimizer: optim.Optimizer, scheduler: Scheduler | undefined,
  loader: DataLoader, p: Progress): void {
  const fs = nodeModule('fs', 'fit checkpoint', 'no checkpoint option');
  fs.mkdirSync(dir, { recursive: true });
  const state: StateFile = {
    format: FORMAT, version: 1, ...p, optimizer: optimizer.stateDict(), scheduler: scheduler?.stateDict() ?? null,
    rng: getRngState(), loader: loaderSettings(loader),
  };
  const meta = { format: FORMAT, epoch: String(p.epoch), step: String(p.step) };
  const sd = model.stateDict();
  try {
    writeFileAtomic(`${dir}/model.safetensors`, encodeSafetensors(sd, meta), 'fit checkpoint');
  } finally {
    dispose(Object.values(sd));
  }
  writeFileAtomic(`${dir}/state.json`, JSON.stringify(state, numbersOut), 'fit checkpoint');
}

/**
 * Reads checkpoint `dir` into model, optimizer, scheduler and the RNG; returns the progress to
 * continue from. The files are checked against each other and against the loader first.
 */
export function readCheckpoint(dir: string, model: nn.Module, optimizer: optim.Optimizer, scheduler: Scheduler | undefined,
  loader: DataLoader): Progress {
  const where = `fit resume '${dir}'`;
  const bad = (msg: string): never => { throw new DescentError('INVALID_DATA', `${where}: ${msg}`); };
  let state: StateFile;
  try {
    state = JSON.parse(new TextDecoder().decode(readFileBytes(`${dir}/state.json`, where)), numbersIn) as StateFile;
  } catch (e) {
    throw e instanceof DescentError ? e : new DescentError('INVALID_DATA', `${where}: state.json is not valid JSON`);
  }
  if (state?.format !== FORMAT || state.version !== 1) bad(`state.json is not a ${FORMAT} (version 1)`);
  if (!Number.isSafeInteger(state.epoch) || !Number.isSafeInteger(state.step) || !Array.isArray(state.history)) bad('state.json lacks epoch, step or history');
  const want = loaderSettings(loader);
  if (JSON.stringify(state.loader) !== JSON.stringify(want)) {
    bad(`saved with train loader ${JSON.stringify(state.loader)}, resumed with ${JSON.stringify(want)}; a resumed run needs the same loader`);
  }
  if ((state.scheduler === null) !== (scheduler === undefined)) bad(`saved ${state.scheduler === null ? 'without' : 'with'} a scheduler, resumed ${scheduler === undefined ? 'without' : 'with'} one`);
  const { tensors, metadata } = decodeSafetensors(readFileBytes(`${dir}/model.safetensors`, where), { source: `${dir}/model.safetensors` });
  try {
    if (metadata.format !== FORMAT || metadata.step !== String(state.step)) {
      bad(`model.safetensors is from step ${metadata.step ?? '?'}, state.json from step ${state.step} (an interrupted write?)`);
    }
    const sd = model.stateDict();
    const own = Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, t.shape]));
    dispose(Object.values(sd));
    for (const [k, shape] of Object.entries(own)) {
      const got = tensors[k];
      if (got === undefined) bad(`model.safetensors lacks '${k}'`);
      if (got.shape.join() !== shape.join()) bad(`'${k}' has shape [${got.shape.join(', ')}] in model.safetensors, the model's is [${shape.join(', ')}]`);
    }
    const extra = Object.keys(tensors).find((k) => !(k in own));
    if (extra !== undefined) bad(`model.safetensors has '${extra}', which the model does not`);
    // each loadStateDict checks before it writes; undo the scheduler's if the optimizer's refuses
    const before = scheduler?.stateDict();
    scheduler?.loadStateDict(state.scheduler as Record<string, unknown>);
    try {
      optimizer.loadStateDict(state.optimizer);
    } catch (e) {
      if (before !== undefined) scheduler!.loadStateDict(before);
      throw e;
    }
    model.loadStateDict(tensors); // keys and shapes checked above
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  setRngState(state.rng);
  return { epoch: state.epoch, step: state.step, history: state.history, best: state.best, wait: state.wait };
}
