// The page's toy-function race: optimizers of the CLI's registry run on one of the lectures' 2-D
// functions (ts/toy, exact f64 on the reference device), then their trajectories are drawn over
// the function's contour map (the report's chart, ts/viz) one step per frame.

import { TOY_FUNCTIONS } from '../ts/toy/functions.js';
import { runToy } from '../ts/toy/run.js';
import { contourChart, sampleGrid, type Point } from '../ts/viz/charts.js';
import { OPTIMIZERS, makeOptimizer, parseOptimizerList, specLabel, toyLr } from '../ts/cli/optimizers.js';
import { LiveChart } from './live-chart.js';

export interface RaceOptions { fn: string; optimizers: string; steps: number; frameMs: number }
export interface RaceResult { label: string; lr: number; points: number; final: { x: number; y: number; value: number }; diverged: boolean }

let shown: LiveChart | null = null;

/** Runs the race and animates it in `element` (replacing what was there); resolves when the last frame is drawn. */
export async function race(element: HTMLElement, o: RaceOptions, onFrame: (step: number) => void): Promise<RaceResult[]> {
  const fn = TOY_FUNCTIONS[o.fn];
  if (!Object.hasOwn(TOY_FUNCTIONS, o.fn)) throw new Error(`unknown function '${o.fn}'; expected one of ${Object.keys(TOY_FUNCTIONS).join(', ')}`);
  if (!Number.isInteger(o.steps) || o.steps < 1 || o.steps > 5000) throw new Error(`steps must be an integer in 1..5000, got ${o.steps}`);
  const runs = parseOptimizerList(o.optimizers).map((s) => {
    const lr = (s.options.lr as number | undefined) ?? toyLr(s.name, fn.lr);
    const run = runToy(fn, (params) => makeOptimizer(s, params, { lr }), { steps: o.steps, closure: OPTIMIZERS[s.name].closure });
    return { label: specLabel(s), lr, run };
  });
  // every path's start point from the first frame, so the legend lists all of them at once
  const upTo = (k: number): Point[] => runs.flatMap((r) => r.run.path.slice(0, k + 1).map(([x, y]) => ({ series: r.label, x, y })));
  shown?.finalize();
  element.replaceChildren();
  const chart = shown = new LiveChart(element, contourChart(`${fn.name}: f(x, y) = ${fn.formula}`, sampleGrid(fn.value, fn.window[0], fn.window[1]),
    { x: 'x', y: 'y' }, { paths: upTo(0), markers: fn.minima.map(([x, y]) => ({ label: 'minimum', x, y })) }));
  const frames = Math.max(...runs.map((r) => r.run.path.length - 1));
  for (let k = 1; k <= frames; k++) {
    await chart.replace('paths', upTo(k));
    onFrame(k);
    await new Promise((ok) => setTimeout(ok, o.frameMs));
  }
  return runs.map((r) => ({ label: r.label, lr: r.lr, points: r.run.path.length, final: r.run.final, diverged: r.run.diverged }));
}
