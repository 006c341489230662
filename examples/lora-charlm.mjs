// LoRA fine-tuning of a small character-level transformer LM: pre-train on the first 70% of
// Shakespeare's sonnets (examples/data/sonnets.txt), then adapt to the last 30% (the "second
// text") by full fine-tuning and by LoRA (rank 4, α 8, on every Linear: the MLPs, the attention
// output projections and the LM head, and on the q, k and v slices of the packed in_proj_weight).
// Prints trainable parameters, the measured bytes of gradients + AdamW state, and the held-out loss
// reached; reports/lora-charlm.html adds the fine-tuning loss curves.
//   npm run build && node examples/lora-charlm.mjs [pretrainSteps] [finetuneSteps]
import { readFileSync } from 'node:fs';
import * as d from '../build/descent.node.js';
import * as viz from '../build/viz.node.js';

const [PRE, FT] = [Number(process.argv[2] ?? 150), Number(process.argv[3] ?? 100)];
const [CONTEXT, BATCH, DIM, HEADS] = [32, 16, 64, 4];
await d.init({ deterministic: false });
const { nn } = d;

const text = readFileSync(new URL('./data/sonnets.txt', import.meta.url), 'utf8');
const vocab = [...new Set(text)].sort();
const all = Int32Array.from(text, (c) => vocab.indexOf(c));
const cut = Math.floor(0.7 * all.length);
const [first, second] = [all.subarray(0, cut), all.subarray(cut)];
const secondVal = second.subarray(Math.floor(0.8 * second.length));
const secondTrain = second.subarray(0, Math.floor(0.8 * second.length));

class CharLM extends nn.Module {
  constructor() {
    super();
    this.registerModule('tok', new nn.Embedding(vocab.length, DIM));
    this.registerModule('pos', new nn.Embedding(CONTEXT, DIM));
    this.registerModule('blocks', new nn.Sequential(new nn.TransformerBlock(DIM, HEADS), new nn.TransformerBlock(DIM, HEADS)));
    this.registerModule('norm', new nn.LayerNorm(DIM));
    this.registerModule('head', new nn.Linear(DIM, vocab.length));
  }
  forward(x) {
    const h = this.child('tok').call(x).add(this.child('pos').call(d.arange(0, x.shape[1], 1, { dtype: 'i32' })));
    return this.child('head').call(this.child('norm').call(this.child('blocks').call(h)));
  }
}

let seed = 1;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
function batch(ids) {
  const x = new Int32Array(BATCH * CONTEXT), y = new Int32Array(BATCH * CONTEXT);
  for (let b = 0; b < BATCH; b++) {
    const at = Math.floor(rand() * (ids.length - CONTEXT - 1));
    x.set(ids.subarray(at, at + CONTEXT), b * CONTEXT);
    y.set(ids.subarray(at + 1, at + CONTEXT + 1), b * CONTEXT);
  }
  return [d.tensor(x, { dtype: 'i32', shape: [BATCH, CONTEXT] }), d.tensor(y, { dtype: 'i32', shape: [BATCH * CONTEXT] })];
}
const lossOn = (model, [x, y]) => nn.functional.crossEntropy(model.call(x).reshape([-1, vocab.length]), y);
function train(model, params, ids, steps, lr, curve = []) {
  const start = d.memory().wasm.bytes;
  const opt = new d.optim.AdamW(params, { lr, weightDecay: 0 });
  let bytes = 0;
  for (let s = 0; s < steps; s++) {
    const b = batch(ids);
    const loss = d.tidy(() => { opt.zeroGrad({ setToNone: true }); const l = lossOn(model, b); l.backward(); opt.step(); return l.item(); });
    curve.push({ x: s + 1, y: loss });
    b.forEach((t) => t.dispose());
    if (s === 0) bytes = d.memory().wasm.bytes - start; // measured: gradients + AdamW state, alive after the step
  }
  return bytes;
}
function heldOut(model) {
  model.eval();
  seed = 7;
  let total = 0;
  for (let i = 0; i < 20; i++) { const b = batch(secondVal); total += d.tidy(() => d.noGrad(() => lossOn(model, b).item())); b.forEach((t) => t.dispose()); }
  model.train();
  return total / 20;
}

d.manualSeed(0);
const base = new CharLM();
let t0 = performance.now();
train(base, base.parameters(), first, PRE, 3e-3);
const setup = `pre-trained ${PRE} steps on the first 70% (${((performance.now() - t0) / 1000).toFixed(0)} s); held-out loss on the second text ${heldOut(base).toFixed(3)}`;
console.log(setup);
const snapshot = base.stateDict();
const copy = () => { const m = new CharLM(); m.loadStateDict(snapshot); return m; };

const table = { columns: ['fine-tuning', 'trainable params', 'grad + Adam state bytes', 'held-out loss after', 'seconds'], rows: [] };
const curves = [];
for (const kind of ['full', 'LoRA r=4']) {
  const m = copy();
  let params = m.parameters();
  if (kind !== 'full') { d.manualSeed(3); d.finetune.applyLoRA(m, { rank: 4, alpha: 8 }); params = d.finetune.loraParameters(m); }
  seed = 11;
  t0 = performance.now();
  const curve = [];
  const bytes = train(m, params, secondTrain, FT, kind === 'full' ? 1e-3 : 3e-3, curve);
  curves.push(...curve.map((c) => ({ series: kind, ...c })));
  table.rows.push([kind, params.reduce((s, p) => s + p.size, 0), bytes, heldOut(m).toFixed(3), ((performance.now() - t0) / 1000).toFixed(0)]);
}
console.log(viz.markdownTable(table));
await viz.writeReport(viz.reportPath('lora-charlm'), { title: 'LoRA vs full fine-tuning of a character LM', subtitle: setup, sections: [
  { heading: 'Fine-tuning on the second text', table,
    charts: [viz.lineChart('Training loss per fine-tuning step (batch of 16×32 characters)', curves, { x: 'step', y: 'cross-entropy' })] },
] });
