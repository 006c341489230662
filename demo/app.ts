// The demo page's script (bundled by scripts/demo-server.mjs into demo/dist/app.js): trains the
// MLP on the bundled Fashion-MNIST subset with a live loss curve, and races optimizers on a toy
// function over its contour map. window.demo is what the end-to-end test drives.

import * as d from '../ts/index.js';
import { OPTIMIZERS } from '../ts/cli/optimizers.js';
import { fmt } from '../ts/cli/table.js';
import { TOY_FUNCTIONS } from '../ts/toy/functions.js';
import { lineChart } from '../ts/viz/charts.js';
import { fashion, trainFashion, type DemoDevice, type TrainOptions, type TrainResult } from './fashion-train.js';
import { race, type RaceOptions } from './toy-race.js';
import { LiveChart } from './live-chart.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const say = (id: string, s: string): void => { $(id).textContent = s; };
const value = (id: string): string => $<HTMLInputElement>(id).value;

// The report's line chart, fed live: its rows go to a named data set instead of the spec.
const base = lineChart('training loss (cross-entropy of each batch)', [], { x: 'step', y: 'loss' }).vegaLite;
// (resize: lay out again as rows arrive, or the axis labels and legend get clipped)
const lossChart = new LiveChart($('loss'), {
  vegaLite: { ...base, data: { name: 'points' }, mark: { type: 'line', clip: true }, autosize: { type: 'pad', resize: true } } as typeof base,
});

/** Shows `o`'s values in the controls of the same ids (runs started through window.demo too). */
function showOptions(o: Record<string, string | number | undefined>, ids: Record<string, string>): void {
  for (const [k, id] of Object.entries(ids)) if (o[k] !== undefined) $<HTMLInputElement>(id).value = String(o[k]);
}

let runs = 0;

async function train(o: TrainOptions): Promise<TrainResult> {
  showOptions({ ...o }, { device: 'device', optimizer: 'optimizer', lr: 'lr', steps: 'steps', batch: 'batch' });
  // numbered: two runs with the same settings are two curves, not one line drawn twice
  const series = `${++runs}. ${o.optimizer} lr ${o.lr} on ${o.device}`;
  const r = await trainFashion(o, ({ step, loss }) => {
    say('train-status', `${series}: step ${step}/${o.steps}  loss ${loss.toFixed(4)}`);
    return lossChart.insert('points', [{ series, x: step, y: loss }]);
  });
  const where = o.device === 'webgpu' ? d.backendInfo()!.webgpu!.adapter : `${d.backendInfo()!.threads} thread(s)`;
  say('train-status', `${series} (${where}): final batch loss ${r.losses[r.losses.length - 1].toFixed(4)}, test accuracy ${(100 * r.accuracy).toFixed(1)}% on ${r.testImages} held-out images`);
  return r;
}

async function runRace(o: RaceOptions): ReturnType<typeof race> {
  showOptions({ ...o }, { fn: 'fn', optimizers: 'race-optimizers', steps: 'race-steps' });
  const results = await race($('race'), o, (k) => say('race-status', `step ${k}/${o.steps}`));
  say('race-status', results.map((r) => `${r.label} (lr ${fmt(r.lr)}): ${r.diverged ? 'diverged' : `f = ${fmt(r.final.value)} at (${fmt(r.final.x)}, ${fmt(r.final.y)})`}`).join('\n'));
  return results;
}

/** Runs `job` with `button` disabled, showing an error in `statusId`. */
async function guarded(button: string, statusId: string, job: () => Promise<unknown>): Promise<void> {
  $<HTMLButtonElement>(button).disabled = true;
  try {
    await job();
  } catch (e) {
    say(statusId, `error: ${(e as Error).message}`);
  } finally {
    $<HTMLButtonElement>(button).disabled = false;
  }
}

function fillControls(): void {
  const choices = (id: string, names: string[], selected: string): void => {
    $(id).replaceChildren(...names.map((n) => new Option(n, n, n === selected, n === selected)));
  };
  // optimizers that step without a closure (LBFGS and zeroth-order re-evaluate the loss)
  choices('optimizer', Object.keys(OPTIMIZERS).filter((k) => !OPTIMIZERS[k].closure && k !== 'gd'), 'adam');
  choices('fn', Object.keys(TOY_FUNCTIONS), 'rosenbrock');
  const lrFor = (): void => { $<HTMLInputElement>('lr').value = String(OPTIMIZERS[value('optimizer')].grid[1]); };
  $('optimizer').addEventListener('change', lrFor);
  lrFor();
  $('train').addEventListener('click', () => void guarded('train', 'train-status', () => train({
    device: value('device') as DemoDevice, optimizer: value('optimizer'), lr: Number(value('lr')), steps: Number(value('steps')), batch: Number(value('batch')),
  })));
  $('race-button').addEventListener('click', () => void guarded('race-button', 'race-status', () => runRace({
    fn: value('fn'), optimizers: value('race-optimizers'), steps: Number(value('race-steps')), frameMs: 16,
  })));
}

/** Lets the bundle pick its device (webgpu on a hardware adapter, else wasm) and reports the threads. */
async function start(): Promise<{ picked: string; threads: number; isolated: boolean }> {
  fillControls();
  await d.init();
  const picked = d.backendInfo()!.webgpu ? 'webgpu' : 'wasm';
  const threads = d.backendInfo()!.threads;
  $<HTMLSelectElement>('device').value = picked;
  const isolated = globalThis.crossOriginIsolated === true;
  say('status', `device picked: ${picked}; ${isolated ? 'cross-origin isolated' : 'not cross-origin isolated'}: wasm GEMM on ${threads} thread(s)`);
  await fashion();
  say('train-status', 'Fashion-MNIST subset loaded: 7200 training images; press Train');
  return { picked, threads, isolated };
}

const ready = start();
ready.catch((e: Error) => say('status', `error: ${e.message}`));
(globalThis as { demo?: unknown }).demo = {
  ready, train, race: runRace, info: () => d.backendInfo(), memory: () => d.memory(), lossRows: () => lossChart.rows('points').length,
};
