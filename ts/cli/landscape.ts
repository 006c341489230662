// `descent landscape`: the loss around a trained point, along filter-normalized random directions
// (Li et al., 2018): a 1-D slice and a 2-D slice drawn as a filled contour map.

import { Command, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import * as d from '../index.js';
import { lossLandscape } from '../train/landscape.js';
import { contourChart, lineChart } from '../viz/charts.js';
import { writeReport } from '../viz/report.js';
import { UsageError, checkWritable, numberArg } from './args.js';
import { type CommandContext, type EngineOptions, engineOptions, startEngine } from './context.js';
import { IMAGE_MODELS, imageModel } from './models.js';
import { parseOptimizerSpec } from './optimizers.js';
import { defaultLr, disposeData, loadImages, trainRun } from './session.js';
import { fmt } from './table.js';

interface LandscapeOptions extends EngineOptions {
  model: (typeof IMAGE_MODELS)[number]; checkpoint?: string; optimizer: string; lr?: number; epochs: number; batch: number;
  points: number; span: number; samples: number; seed: number; data?: string; report?: string; json?: boolean;
}

export function landscapeCommand(ctx: CommandContext): Command {
  return engineOptions(new Command('landscape')
    .description('1-D and 2-D slices of the loss around a trained model along filter-normalized random directions (Li et al., 2018)')
    .addOption(new Option('--model <name>', 'model').choices(IMAGE_MODELS).default('mlp'))
    .option('--checkpoint <dir>', 'a checkpoint folder written by `descent train --checkpoint` (default: train first)')
    .option('--optimizer <spec>', 'optimizer when training first', 'adam')
    .option('--lr <x>', 'learning rate when training first', numberArg('--lr', { min: 0, exclusiveMin: true }))
    .option('--epochs <n>', 'epochs when training first', numberArg('--epochs', { min: 1, max: 1000, int: true }), 2)
    .option('--batch <n>', 'batch size when training first', numberArg('--batch', { min: 1, max: 65536, int: true }), 128)
    .option('--points <n>', 'points per axis', numberArg('--points', { min: 3, max: 101, int: true }), 21)
    .option('--span <x>', 'the slices cover [-span, span] along each direction', numberArg('--span', { min: 0, exclusiveMin: true }), 1)
    .option('--samples <n>', 'validation images the loss is measured on', numberArg('--samples', { min: 1, max: 100000, int: true }), 500)
    .option('--seed <n>', 'seed of the model, data split and directions', numberArg('--seed', { min: 0, max: 2 ** 31 - 1, int: true }), 0)
    .option('--data <dir>', 'a full Fashion-MNIST IDX folder (default: the bundled subset)')
    .option('--report <file>', 'write an HTML report with the heatmap and the 1-D curve')
    .option('--json', 'print one JSON object as the last line'))
    .action((o: LandscapeOptions) => ctx.run(() => landscape(o), o));
}

function checkpointFile(dir: string): string {
  const file = `${dir}/model.safetensors`;
  if (!existsSync(file)) throw new UsageError(`--checkpoint: '${file}' does not exist; expected a folder written by descent train --checkpoint`);
  return file;
}

function loadCheckpoint(model: d.nn.Module, dir: string): void {
  const file = checkpointFile(dir);
  const { tensors } = d.decodeSafetensors(new Uint8Array(readFileSync(file)), { source: file });
  try {
    model.loadStateDict(tensors);
  } finally {
    d.dispose(Object.values(tensors));
  }
}

async function landscape(o: LandscapeOptions): Promise<unknown> {
  const spec = parseOptimizerSpec(o.optimizer);
  if (o.report) checkWritable('--report', o.report);
  if (o.checkpoint) checkpointFile(o.checkpoint);
  const engine = await startEngine(o);
  const data = await loadImages(o.data, o.seed);
  let model: d.nn.Module;
  if (o.checkpoint) {
    model = imageModel(o.model);
    try { loadCheckpoint(model, o.checkpoint); } catch (e) { model.dispose(); disposeData(data); throw e; }
  } else {
    model = (await trainRun(data, { model: o.model, spec, lr: defaultLr(spec, o.lr), epochs: o.epochs, batch: o.batch, seed: o.seed })).model;
  }
  const n = Math.min(o.samples, data.val.length);
  const [x, y] = d.tidy(() => data.val.tensors.map((t) => t.narrow(0, 0, n).contiguous()));
  try {
    const t0 = performance.now();
    const lossAt = (forward: (x: d.Tensor) => d.Tensor): number => d.tidy(() => d.nn.functional.crossEntropy(forward(x), y).item());
    const l = lossLandscape(model, lossAt, { span: o.span, points: o.points, seed: o.seed });
    const centre = l.line[Math.floor(o.points / 2)].loss;
    console.log(`descent landscape: ${o.model} ${o.checkpoint ? `from ${o.checkpoint}` : `trained ${o.epochs} epochs with ${o.optimizer}`}; ${engine}`);
    console.log(`loss at the trained point ${fmt(centre)} on ${n} validation images; ${o.points}×${o.points} grid over [-${o.span}, ${o.span}]² in ${fmt((performance.now() - t0) / 1000, 3)} s`);
    console.log(`1-D slice: ${l.line.map((p) => `${fmt(p.alpha, 2)}:${fmt(p.loss, 3)}`).join(' ')}`);
    if (o.report) {
      const flat = l.grid.losses.flat().map((v) => Math.log10(v));
      const grid = { values: flat, nx: o.points, ny: o.points, xRange: [-o.span, o.span] as [number, number], yRange: [-o.span, o.span] as [number, number] };
      await writeReport(o.report, {
        title: `descent landscape: ${o.model}`, subtitle: `filter-normalized directions (Li et al., 2018); loss on ${n} validation images; ${engine}`,
        sections: [{ heading: 'Loss landscape', charts: [
          contourChart('log10 loss on the 2-D slice', grid, { x: 'δ', y: 'η' }, { markers: [{ label: 'trained point', x: 0, y: 0 }] }, 24),
          lineChart('loss along δ', l.line.map((p) => ({ series: 'loss', x: p.alpha, y: p.loss })), { x: 'α (θ + α·δ)', y: 'loss', logY: true })] }],
      });
      console.log(`report written to ${o.report}`);
    }
    return { command: 'landscape', model: o.model, centerLoss: centre, line: l.line, grid: l.grid };
  } finally {
    d.dispose([x, y]);
    model.dispose();
    disposeData(data);
  }
}
