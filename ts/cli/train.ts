// `descent train`: one model, one optimizer, on Fashion-MNIST; the epoch table, test accuracy,
// checkpoints/resume through fit, and a report with the loss and accuracy curves.

import { Command, Option } from 'commander';
import * as d from '../index.js';
import { lineChart } from '../viz/charts.js';
import { writeReport } from '../viz/report.js';
import { checkWritable, numberArg } from './args.js';
import { type CommandContext, type EngineOptions, engineOptions, startEngine } from './context.js';
import { IMAGE_MODELS, MODELS, type ModelName } from './models.js';
import { OPTIMIZERS, parseOptimizerSpec } from './optimizers.js';
import { SCHEDULES, type Schedule, defaultLr, disposeData, loadImages, trainRun } from './session.js';
import { trainCharLM } from './charlm.js';
import { fmt, formatTable } from './table.js';

interface TrainOptions extends EngineOptions {
  model: ModelName; optimizer: string; lr?: number; epochs: number; batch: number; schedule: Schedule; clip?: number;
  seed: number; data?: string; checkpoint?: string; resume?: string; report?: string; json?: boolean; maxSeconds?: number;
}

export function trainCommand(ctx: CommandContext): Command {
  return engineOptions(new Command('train')
    .description('train a model on Fashion-MNIST (or charlm on the bundled text) and report test accuracy')
    .addOption(new Option('--model <name>', 'model').choices(MODELS).default('mlp'))
    .option('--optimizer <spec>', `optimizer name, optionally name:key=value:… (${Object.keys(OPTIMIZERS).join(', ')})`, 'adam')
    .option('--lr <x>', 'learning rate (default: the middle of the optimizer\'s race grid)', numberArg('--lr', { min: 0, exclusiveMin: true }))
    .option('--epochs <n>', 'epochs', numberArg('--epochs', { min: 1, max: 10000, int: true }), 3)
    .option('--batch <n>', 'batch size', numberArg('--batch', { min: 1, max: 65536, int: true }), 128)
    .addOption(new Option('--schedule <name>', 'learning-rate schedule, stepped per batch').choices(SCHEDULES).default('none'))
    .option('--clip <norm>', 'clip the global gradient norm', numberArg('--clip', { min: 0, exclusiveMin: true }))
    .option('--seed <n>', 'seed of init, shuffling and the validation split', numberArg('--seed', { min: 0, max: 2 ** 31 - 1, int: true }), 0)
    .option('--data <dir>', 'a full Fashion-MNIST IDX folder (default: the bundled subset)')
    .option('--max-seconds <s>', 'stop training after this many seconds', numberArg('--max-seconds', { min: 0, exclusiveMin: true }))
    .option('--checkpoint <dir>', 'write a checkpoint folder (model.safetensors + state.json) after each epoch')
    .option('--resume <dir>', 'continue bit-identically from a checkpoint folder')
    .option('--report <file>', 'write an HTML report with the curves')
    .option('--json', 'print one JSON object as the last line'))
    .action((o: TrainOptions) => ctx.run(() => train(o), o));
}

async function train(o: TrainOptions): Promise<unknown> {
  const spec = parseOptimizerSpec(o.optimizer);
  if (o.report) checkWritable('--report', o.report);
  if (o.checkpoint) checkWritable('--checkpoint', o.checkpoint);
  const engine = await startEngine(o);
  console.log(`descent train: ${o.model}, ${o.optimizer}; ${engine}`);
  if (o.model === 'charlm') return trainCharLM(o, spec);
  const data = await loadImages(o.data, o.seed);
  console.log(data.what);
  const lr = defaultLr(spec, o.lr);
  const run = await trainRun(data, { model: o.model, spec, lr, epochs: o.epochs, batch: o.batch, seed: o.seed, clip: o.clip,
    schedule: o.schedule, checkpoint: o.checkpoint, resume: o.resume, maxSeconds: o.maxSeconds });
  try {
    const test = d.train.evaluate(run.model, new d.data.DataLoader(data.test, { batchSize: 1000 }));
    console.log(formatTable(['epoch', 'train loss', 'val loss', 'val accuracy', 'seconds', 'lr'],
      run.epochs.map((e) => [e.epoch, fmt(e.trainLoss), fmt(e.valLoss), `${fmt(100 * (e.valAccuracy ?? NaN))}%`, fmt(e.seconds, 3), fmt(e.lr)])));
    console.log(`test: loss ${fmt(test.loss)}, accuracy ${fmt(100 * test.accuracy)}% (${data.test.length} images)`);
    if (o.report) {
      const series = (key: 'trainLoss' | 'valLoss', name: string) => run.epochs.map((e) => ({ series: name, x: e.epoch, y: e[key] ?? NaN }));
      await writeReport(o.report, {
        title: `descent train: ${o.model} with ${run.optimizer}`, subtitle: `${data.what}; ${engine}; lr ${lr}`,
        sections: [
          { heading: 'Curves', charts: [
            lineChart('loss per epoch', [...series('trainLoss', 'train'), ...series('valLoss', 'validation')], { x: 'epoch', y: 'loss' }),
            lineChart('validation accuracy per epoch', run.epochs.map((e) => ({ series: 'validation', x: e.epoch, y: e.valAccuracy ?? NaN })), { x: 'epoch', y: 'accuracy' })] },
          { heading: 'Result', text: `test accuracy ${fmt(100 * test.accuracy)}%, test loss ${fmt(test.loss)}, ${run.steps} steps` },
        ],
      });
      console.log(`report written to ${o.report}`);
    }
    return { command: 'train', model: o.model, optimizer: run.optimizer, lr, testAccuracy: test.accuracy, testLoss: test.loss, steps: run.steps,
      epochs: run.epochs.map((e) => ({ epoch: e.epoch, trainLoss: e.trainLoss, valLoss: e.valLoss, valAccuracy: e.valAccuracy, seconds: e.seconds })) };
  } finally {
    run.model.dispose();
    disposeData(data);
  }
}

export { IMAGE_MODELS };
