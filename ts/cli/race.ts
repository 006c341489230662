// `descent race`: the AlgoPerf idea at small scale. Every optimizer trains the same model from
// the same seed; a problem is a (model, seed) pair; the time to the target validation accuracy
// is recorded per learning rate of a small grid (or the lr given as adam:lr=3e-3), the best lr
// counts, and a Dolan–Moré performance profile (1992/2002) summarizes the race.

import { Command } from 'commander';
import { lineChart, profileChart } from '../viz/charts.js';
import { writeReport } from '../viz/report.js';
import { checkWritable, choiceListArg, durationArg, numberArg } from './args.js';
import { type CommandContext, type EngineOptions, engineOptions, startEngine } from './context.js';
import { IMAGE_MODELS } from './models.js';
import { OPTIMIZERS, parseOptimizerList, specLabel } from './optimizers.js';
import { type RunResult, disposeData, loadImages, trainRun } from './session.js';
import { fmt, formatTable } from './table.js';
import { performanceProfile, profileSteps } from './profile.js';

interface RaceOptions extends EngineOptions {
  optimizers: string; targetAcc: number; budget: number; models: (typeof IMAGE_MODELS)[number][]; seeds: number;
  epochs: number; batch: number; data?: string; lr?: number; report?: string; json?: boolean;
}

export function raceCommand(ctx: CommandContext): Command {
  return engineOptions(new Command('race')
    .description('race optimizers to a target validation accuracy (time and steps), with a performance profile')
    .option('--optimizers <list>', 'comma-separated optimizers, each optionally name:lr=…:key=…', 'sgd,momentum,adam,adamw,muon')
    .option('--target-acc <x>', 'target validation accuracy', numberArg('--target-acc', { min: 0, max: 1, exclusiveMin: true }), 0.85)
    .option('--budget <time>', 'total wall-clock budget, shared evenly by all runs (e.g. 120s, 2m)', durationArg('--budget'), 120)
    .option('--models <list>', `models: ${IMAGE_MODELS.join(',')}`, choiceListArg('--models', IMAGE_MODELS), ['mlp'])
    .option('--seeds <n>', 'seeds per model (each model × seed is one problem)', numberArg('--seeds', { min: 1, max: 100, int: true }), 1)
    .option('--epochs <n>', 'most epochs per run', numberArg('--epochs', { min: 1, max: 10000, int: true }), 20)
    .option('--batch <n>', 'batch size', numberArg('--batch', { min: 1, max: 65536, int: true }), 128)
    .option('--data <dir>', 'a full Fashion-MNIST IDX folder (default: the bundled subset)')
    .option('--report <file>', 'write an HTML report with curves and the performance profile')
    .option('--json', 'print one JSON object as the last line'))
    .action((o: RaceOptions) => ctx.run(() => race(o), o));
}

interface Entry { problem: string; optimizer: string; best: RunResult; runs: { lr: number; timeToTarget: number | null; finalAccuracy: number }[] }

async function race(o: RaceOptions): Promise<unknown> {
  const specs = parseOptimizerList(o.optimizers);
  if (o.report) checkWritable('--report', o.report);
  const engine = await startEngine(o);
  const problems = o.models.flatMap((model) => Array.from({ length: o.seeds }, (_, seed) => ({ model, seed, name: `${model}/seed ${seed}` })));
  const grids = specs.map((s) => (s.options.lr !== undefined ? [s.options.lr as number] : OPTIMIZERS[s.name].grid));
  const runs = problems.length * grids.reduce((a, g) => a + g.length, 0);
  const slot = o.budget / runs;
  console.log(`descent race: ${specs.map(specLabel).join(', ')} on ${problems.map((p) => p.name).join(', ')}; target ${o.targetAcc}; ${runs} runs of ≤ ${fmt(slot, 3)} s; ${engine}`);
  const entries: Entry[] = [];
  for (const seedGroup of [...new Set(problems.map((p) => p.seed))]) {
    const data = await loadImages(o.data, seedGroup);
    if (seedGroup === 0) console.log(data.what);
    try {
      for (const p of problems.filter((q) => q.seed === seedGroup)) {
        for (const [k, spec] of specs.entries()) {
          const results: RunResult[] = [];
          for (const lr of grids[k]) {
            const r = await trainRun(data, { model: p.model, spec, lr, epochs: o.epochs, batch: o.batch, seed: p.seed,
              maxSeconds: slot, targetAcc: o.targetAcc, label: `${p.model} ${specLabel(spec)} ${lr}` });
            r.model.dispose();
            results.push(r);
          }
          // The best lr: reached the target soonest, else the highest final accuracy.
          const key = (r: RunResult): number => (r.timeToTarget !== null ? -1e9 + r.timeToTarget : -r.finalAccuracy);
          const best = results.reduce((a, b) => (key(b) < key(a) ? b : a));
          entries.push({ problem: p.name, optimizer: specLabel(spec), best,
            runs: results.map((r) => ({ lr: r.lr, timeToTarget: r.timeToTarget, finalAccuracy: r.finalAccuracy })) });
        }
      }
    } finally {
      disposeData(data);
    }
  }
  const names = specs.map(specLabel);
  const profile = performanceProfile(names, problems.map((p) => p.name),
    (s, p) => entries.find((e) => e.optimizer === s && e.problem === p)!.best.timeToTarget);
  console.log(formatTable(['problem', 'optimizer', 'best lr', 'time to target (s)', 'steps to target', 'final val accuracy', 'lrs tried'],
    entries.map((e) => [e.problem, e.optimizer, fmt(e.best.lr), fmt(e.best.timeToTarget, 3), e.best.stepsToTarget ?? '—',
      `${fmt(100 * e.best.finalAccuracy)}%`, e.runs.length])));
  console.log(`performance profile (fraction of problems solved within τ × the best time): ${
    profile.map((p) => `${p.optimizer} ${p.points.map((q) => `τ=${fmt(q.tau, 3)}:${fmt(q.fraction, 3)}`).join(' ') || 'none solved'}`).join('; ')}`);
  if (o.report) {
    // One colour per optimizer, one line per problem (model × seed).
    const curve = (key: 'valAccuracy' | 'trainLoss') => entries.flatMap((e) => {
      let t = 0;
      return e.best.epochs.map((l) => ({ series: e.optimizer, group: e.problem, x: (t += l.seconds), y: l[key] ?? NaN }));
    });
    await writeReport(o.report, {
      title: 'descent race', subtitle: `${problems.map((p) => p.name).join(', ')}; target validation accuracy ${o.targetAcc}; budget ${o.budget} s; ${engine}`,
      sections: [
        { heading: 'Results (best learning rate per optimizer)', table: { columns: ['problem', 'optimizer', 'best lr', 'time to target (s)', 'steps to target', 'final val accuracy'],
          rows: entries.map((e) => [e.problem, e.optimizer, fmt(e.best.lr), fmt(e.best.timeToTarget, 3), e.best.stepsToTarget ?? '—', `${fmt(100 * e.best.finalAccuracy)}%`]) } },
        { heading: 'Curves', charts: [lineChart('validation accuracy against training time', curve('valAccuracy'), { x: 'training seconds', y: 'validation accuracy' }),
          lineChart('training loss against training time', curve('trainLoss'), { x: 'training seconds', y: 'training loss', logY: true })] },
        { heading: 'Performance profile (Dolan & Moré, 2002)', text: 'For each optimizer, the fraction of problems on which it reached the target within τ times the fastest optimizer\'s time.',
          charts: [profileChart('performance profile', profileSteps(profile))] },
      ],
    });
    console.log(`report written to ${o.report}`);
  }
  return { command: 'race', targetAcc: o.targetAcc, budget: o.budget, problems: problems.map((p) => p.name),
    results: entries.map((e) => ({ problem: e.problem, optimizer: e.optimizer, lr: e.best.lr, timeToTarget: e.best.timeToTarget,
      stepsToTarget: e.best.stepsToTarget, finalAccuracy: e.best.finalAccuracy, runs: e.runs })), profile };
}

