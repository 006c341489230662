// `descent train --model charlm`: a 2-layer character-level transformer LM on a small text (the
// bundled sonnets, or --data FILE), AdamW-style training through fit, then a sampled line.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as d from '../index.js';
import { UsageError } from './args.js';
import { CharLM } from './models.js';
import { type OptimizerSpec, makeOptimizer, specLabel } from './optimizers.js';
import { startProgress } from './progress.js';
import { defaultLr } from './session.js';
import { fmt, formatTable } from './table.js';

const CONTEXT = 32;

function bundledText(): string {
  for (const up of ['../', '../../']) {
    const p = fileURLToPath(new URL(`${up}examples/data/sonnets.txt`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new UsageError('the bundled examples/data/sonnets.txt is missing; pass --data FILE with a text');
}

/** Windows of CONTEXT+1 characters at seeded random offsets: x = first CONTEXT, y = shifted by one. */
function windows(ids: Int32Array, count: number, seed: number): d.data.TensorDataset {
  const order = d.data.permutation(ids.length - CONTEXT - 1, seed, 0);
  const x = new Int32Array(count * CONTEXT), y = new Int32Array(count * CONTEXT);
  for (let n = 0; n < count; n++) {
    const at = order[n % order.length];
    x.set(ids.subarray(at, at + CONTEXT), n * CONTEXT);
    y.set(ids.subarray(at + 1, at + CONTEXT + 1), n * CONTEXT);
  }
  return new d.data.TensorDataset(d.tensor(x, { dtype: 'i32', shape: [count, CONTEXT] }), d.tensor(y, { dtype: 'i32', shape: [count, CONTEXT] }));
}

/** Greedy-ish sampling: temperature 0.8 over the model's next-character distribution. */
function sample(model: CharLM, vocab: string[], prompt: number[], length: number): string {
  const out = [...prompt];
  let u = 0.5;
  for (let i = 0; i < length; i++) {
    const probs = d.tidy(() => d.noGrad(() => {
      const ctx = out.slice(-CONTEXT);
      const logits = model.call(d.tensor(Int32Array.from(ctx), { dtype: 'i32', shape: [1, ctx.length] }));
      return d.nn.functional.softmax(logits.narrow(2, ctx.length - 1, 1).reshape([-1]).div(0.8), 0).dataSync() as Float32Array;
    }));
    u = (u * 9301 + 49297) % 233280 / 233280;   // a tiny seeded LCG: reproducible samples
    let k = 0, acc = probs[0];
    while (acc < u && k < probs.length - 1) acc += probs[++k];
    out.push(k);
  }
  return out.map((i) => vocab[i]).join('');
}

export async function trainCharLM(o: { data?: string; epochs: number; batch: number; seed: number; lr?: number; json?: boolean }, spec: OptimizerSpec): Promise<unknown> {
  const path = o.data ?? bundledText();
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { throw new UsageError(`--data: cannot read the text file '${path}'`); }
  if (text.length < 4 * CONTEXT) throw new UsageError(`--data: '${path}' has ${text.length} characters; expected at least ${4 * CONTEXT}`);
  const vocab = [...new Set(text)].sort();
  const index = new Map(vocab.map((c, i) => [c, i]));
  const ids = Int32Array.from(text, (c) => index.get(c)!);
  d.manualSeed(o.seed);
  const model = new CharLM(vocab.length, CONTEXT);
  const lr = defaultLr(spec, o.lr ?? 3e-3);
  const opt = makeOptimizer(spec, model.parameters(), { lr });
  const train = windows(ids, 2048, o.seed), val = windows(ids, 256, o.seed + 1);
  try {
    const loader = new d.data.DataLoader(train, { batchSize: Math.min(o.batch, 64), shuffle: true, seed: o.seed });
    const bar = startProgress(`charlm ${specLabel(spec)}`, o.epochs * loader.length);
    const t0 = performance.now();
    const sched = new d.optim.lrScheduler.CosineAnnealingLR(opt, { TMax: o.epochs * loader.length });
    const r = await d.train.fit(model, opt, { train: loader, val: new d.data.DataLoader(val, { batchSize: 128 }), epochs: o.epochs,
      scheduler: sched, schedulerStep: 'batch', callbacks: [{ onBatchEnd: (i) => bar.update(i.step, `loss ${i.loss.toFixed(3)}`) }] });
    const seconds = (performance.now() - t0) / 1000;
    const tokens = r.steps * Math.min(o.batch, 64) * CONTEXT;
    bar.stop(`${r.steps} steps, ${fmt(tokens / seconds, 3)} tokens/s`);
    console.log(formatTable(['epoch', 'train loss', 'val loss', 'val next-char accuracy', 'seconds'],
      r.epochs.map((e) => [e.epoch, fmt(e.trainLoss), fmt(e.valLoss), `${fmt(100 * (e.valAccuracy ?? NaN))}%`, fmt(e.seconds, 3)])));
    const prompt = Array.from('Shall I ', (c) => index.get(c) ?? 0);
    const text2 = sample(model, vocab, prompt, 120);
    console.log(`sample: ${JSON.stringify(text2)}`);
    const last = r.epochs[r.epochs.length - 1];
    return { command: 'train', model: 'charlm', optimizer: specLabel(spec), lr, testAccuracy: last.valAccuracy, testLoss: last.valLoss,
      tokensPerSecond: tokens / seconds, sample: text2,
      epochs: r.epochs.map((e) => ({ epoch: e.epoch, trainLoss: e.trainLoss, valLoss: e.valLoss, valAccuracy: e.valAccuracy, seconds: e.seconds })) };
  } finally {
    model.dispose();
    d.dispose([...train.tensors, ...val.tensors]);
  }
}
