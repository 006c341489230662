// `descent toy`: optimizers on the lectures' 2-D functions, their final points, and a report
// with the trajectories drawn over the function's contour map.

import { Command } from 'commander';
import { TOY_FUNCTIONS } from '../toy/functions.js';
import { runToy, type ToyRun } from '../toy/run.js';
import { contourChart, lineChart, sampleGrid } from '../viz/charts.js';
import { writeReport } from '../viz/report.js';
import { OPTIMIZERS, makeOptimizer, parseOptimizerList, specLabel, toyLr } from './optimizers.js';
import { checkWritable, choiceArg, numberArg, UsageError } from './args.js';
import { fmt, formatTable } from './table.js';
import type { CommandContext } from './context.js';

interface ToyOptions { fn: string; optimizers: string; steps: number; lr?: number; start?: string; report?: string; json?: boolean }

function parseStart(raw: string): [number, number] {
  const v = raw.split(',').map(Number);
  if (v.length !== 2 || !v.every(Number.isFinite)) throw new UsageError(`--start expects two numbers 'x,y', got '${raw}'`);
  return [v[0], v[1]];
}

export function toyCommand(ctx: CommandContext): Command {
  return new Command('toy')
    .description('run optimizers on a 2-D test function and draw their trajectories')
    .option('--fn <name>', `function: ${Object.keys(TOY_FUNCTIONS).join('|')}`, choiceArg('--fn', Object.keys(TOY_FUNCTIONS)), 'rosenbrock')
    .option('--optimizers <list>', 'comma-separated optimizers, each optionally name:lr=…:key=…', 'gd,momentum,nesterov,adagrad,rmsprop,adam')
    .option('--steps <n>', 'steps per optimizer', numberArg('--steps', { min: 1, max: 100000, int: true }), 300)
    .option('--lr <x>', 'learning rate for every optimizer (default: tuned per function and method)', numberArg('--lr', { min: 0, exclusiveMin: true }))
    .option('--start <x,y>', 'start point (default: the function\'s classic start)')
    .option('--report <file>', 'write an HTML report with the trajectories over the contour plot')
    .option('--json', 'print one JSON object as the last line')
    .action((o: ToyOptions) => ctx.run(() => toy(o), o));
}

async function toy(o: ToyOptions): Promise<unknown> {
  const fn = TOY_FUNCTIONS[o.fn];
  const specs = parseOptimizerList(o.optimizers);
  const start = o.start !== undefined ? parseStart(o.start) : fn.start;
  if (o.report) checkWritable('--report', o.report);
  const results: { optimizer: string; lr: number; run: ToyRun }[] = [];
  for (const s of specs) {
    const entry = OPTIMIZERS[s.name];
    const lr = (s.options.lr as number | undefined) ?? o.lr ?? toyLr(s.name, fn.lr);
    const run = runToy(fn, (params) => makeOptimizer(s, params, { lr }), { steps: o.steps, start, closure: entry.closure });
    results.push({ optimizer: specLabel(s), lr, run });
  }
  const nearest = (x: number, y: number): number => Math.min(...fn.minima.map(([a, b]) => Math.hypot(x - a, y - b)));
  console.log(`${fn.name}: f(x, y) = ${fn.formula}; start (${start.join(', ')}), ${o.steps} steps; minima ${fn.minima.map((m) => `(${m.map((v) => fmt(v)).join(', ')})`).join(' ')}`);
  console.log(formatTable(['optimizer', 'lr', 'x', 'y', 'f(x, y)', 'distance to a minimum'],
    results.map((r) => [r.optimizer, fmt(r.lr), fmt(r.run.final.x), fmt(r.run.final.y), fmt(r.run.final.value),
      r.run.diverged ? 'diverged' : fmt(nearest(r.run.final.x, r.run.final.y))])));
  if (o.report) {
    const grid = sampleGrid(fn.value, fn.window[0], fn.window[1]);
    const paths = results.flatMap((r) => r.run.path.map(([x, y]) => ({ series: r.optimizer, x, y })));
    const fStar = Math.min(...fn.minima.map(([a, b]) => fn.value(a, b)));
    const curves = results.flatMap((r) => r.run.path.map(([, , v], step) => ({ series: r.optimizer, x: step, y: Math.max(v - fStar, 1e-16) })));
    await writeReport(o.report, {
      title: `descent toy: ${fn.name}`, subtitle: `f(x, y) = ${fn.formula}; start (${start.join(', ')}), ${o.steps} steps`,
      sections: [
        { heading: 'Trajectories', charts: [contourChart(`${fn.name} with trajectories`, grid, { x: 'x', y: 'y' },
          { paths, markers: fn.minima.map(([x, y]) => ({ label: 'minimum', x, y })) }),
        lineChart('f − f* per step', curves, { x: 'step', y: 'f(x, y) − f*', logY: true })] },
        { heading: 'Final points', table: { columns: ['optimizer', 'lr', 'x', 'y', 'f(x, y)'],
          rows: results.map((r) => [r.optimizer, fmt(r.lr), fmt(r.run.final.x), fmt(r.run.final.y), fmt(r.run.final.value)]) } },
      ],
    });
    console.log(`report written to ${o.report}`);
  }
  return { command: 'toy', fn: fn.name, steps: o.steps, start,
    results: results.map((r) => ({ optimizer: r.optimizer, lr: r.lr, x: r.run.final.x, y: r.run.final.y, value: r.run.final.value, diverged: r.run.diverged })) };
}
