// The page's training half: the MLP of `descent train --model mlp` on the bundled Fashion-MNIST
// subset (fetched from the server's /data/fashion-mnist-small/), on the chosen device with an
// optimizer of the CLI's registry. The data stay on wasm; each batch moves to the device, so
// both devices see the same batches and, from manualSeed(0), the same initial weights.

import * as d from '../ts/index.js';
import { imageModel } from '../ts/cli/models.js';
import { makeOptimizer, parseOptimizerSpec } from '../ts/cli/optimizers.js';
import { disposeState } from '../ts/toy/run.js';

export type DemoDevice = 'webgpu' | 'wasm';
export interface TrainOptions {
  device: DemoDevice; optimizer: string; lr: number; steps: number; batch: number;
  /** How many of the 2000 held-out images the accuracy is measured on (default all; a software GPU is slow). */
  testImages?: number;
}
export interface StepReport { step: number; loss: number }

const DATA = 'data/fashion-mnist-small/';
let data: Promise<d.data.FashionMnist> | null = null;

/** The bundled subset as wasm datasets, fetched and parsed once per page. */
export function fashion(): Promise<d.data.FashionMnist> {
  const get = async (name: string): Promise<Uint8Array> => {
    const res = await fetch(DATA + name);
    if (!res.ok) throw new Error(`${DATA}${name}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  data ??= (async () => {
    const [images, labels] = await Promise.all([get('t10k-images-idx3-ubyte.gz'), get('t10k-labels-idx1-ubyte.gz')]);
    await d.init({ device: 'wasm' });
    return d.data.parseFashionMnist({ images, labels });
  })().catch((e: unknown) => { data = null; throw e; }); // a failed fetch is tried again next time
  return data;
}

/** Makes `device` the default one (any adapter: a GPU-less browser offers SwiftShader). */
async function useDevice(device: DemoDevice): Promise<void> {
  await d.init({ device, adapter: 'any' });
}

export interface TrainResult { losses: number[]; accuracy: number; testImages: number }

/** Trains `steps` steps, calling `onStep` after each; returns the losses and the test accuracy. */
export async function trainFashion(o: TrainOptions, onStep: (r: StepReport) => Promise<unknown> | void): Promise<TrainResult> {
  const fm = await fashion();
  const testImages = o.testImages ?? fm.test.length;
  for (const [k, v, max] of [['steps', o.steps, 1e6], ['batch', o.batch, fm.train.length], ['testImages', testImages, fm.test.length]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${k} must be an integer in 1..${max}, got ${v}`);
  }
  await useDevice(o.device);
  d.manualSeed(0);
  const model = imageModel('mlp');
  const opt = makeOptimizer(parseOptimizerSpec(o.optimizer), model.parameters(), { lr: o.lr });
  const [x, y] = fm.train.tensors;
  const losses: number[] = [];
  try {
    for (let step = 0; step < o.steps; step++) {
      const start = (step * o.batch) % (fm.train.length - o.batch + 1);
      const loss = d.tidy(() => {
        opt.zeroGrad();
        const l = d.nn.functional.crossEntropy(model.forward(x.narrow(0, start, o.batch).to(o.device)), y.narrow(0, start, o.batch).to(o.device));
        l.backward();
        opt.step();
        return l;
      });
      losses.push((await loss.data())[0]);
      loss.dispose();
      await onStep({ step: step + 1, loss: losses[step] });
    }
    return { losses, accuracy: await accuracy(model, fm.test, testImages, o.device), testImages };
  } finally {
    disposeState(opt);
    for (const p of model.parameters()) { p.grad?.dispose(); p.dispose(); }
  }
}

/** Fraction of the first `count` rows of `set` the model classifies right, in chunks (read back asynchronously: webgpu cannot map synchronously). */
async function accuracy(model: d.nn.Module, set: d.data.TensorDataset, count: number, device: DemoDevice): Promise<number> {
  const [x, y] = set.tensors;
  const chunk = 500;
  let right = 0;
  for (let i = 0; i < count; i += chunk) {
    const n = Math.min(chunk, count - i);
    const hits = d.noGrad(() => d.tidy(() => model.forward(x.narrow(0, i, n).to(device)).argmax(1).eq(y.narrow(0, i, n).to(device)).sum()));
    right += (await hits.data())[0];
    hits.dispose();
  }
  return right / count;
}
