// A character-level language model: a 2-layer decoder-only transformer (pre-LN blocks, causal
// attention) trained with AdamW and a cosine schedule on Shakespeare's sonnets (public domain,
// examples/data/sonnets.txt), printing samples as it learns and the tokens per second.
// Run: npm run build && node examples/charlm.mjs [steps]
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Node 20 hides relaxed SIMD behind a flag; set it before the wasm is compiled (FMA kernels).
if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');
const d = await import('../build/descent.node.js');
const { nn, optim } = d;

const STEPS = Number(process.argv[2] ?? 300), CONTEXT = 32, BATCH = 32, DIM = 64, HEADS = 4;
await d.init({ deterministic: false });
d.manualSeed(0);

const text = readFileSync(new URL('./data/sonnets.txt', import.meta.url), 'utf8');
const vocab = [...new Set(text)].sort();
const ids = Int32Array.from(text, (c) => vocab.indexOf(c));

class CharLM extends nn.Module {
  constructor() {
    super();
    this.tok = this.registerModule('tok', new nn.Embedding(vocab.length, DIM));
    this.pos = this.registerModule('pos', new nn.Embedding(CONTEXT, DIM));
    this.blocks = this.registerModule('blocks', new nn.Sequential(new nn.TransformerBlock(DIM, HEADS), new nn.TransformerBlock(DIM, HEADS)));
    this.norm = this.registerModule('norm', new nn.LayerNorm(DIM));
    this.head = this.registerModule('head', new nn.Linear(DIM, vocab.length));
  }
  /** x: [B, T] character ids → logits [B, T, V]. */
  forward(x) {
    const h = this.tok.call(x).add(this.pos.call(d.arange(0, x.shape[1], 1, { dtype: 'i32' })));
    return this.head.call(this.norm.call(this.blocks.call(h)));
  }
}

/** A batch of random windows: inputs and the same windows shifted by one character. */
function batch() {
  const x = new Int32Array(BATCH * CONTEXT), y = new Int32Array(BATCH * CONTEXT);
  for (let b = 0; b < BATCH; b++) {
    const at = Math.floor(Math.random() * (ids.length - CONTEXT - 1));
    x.set(ids.subarray(at, at + CONTEXT), b * CONTEXT);
    y.set(ids.subarray(at + 1, at + CONTEXT + 1), b * CONTEXT);
  }
  return [d.tensor(x, { dtype: 'i32', shape: [BATCH, CONTEXT] }), d.tensor(y, { dtype: 'i32', shape: [BATCH * CONTEXT] })];
}

/** Samples `n` characters after `prompt` at temperature 0.8. */
function sample(model, prompt, n) {
  const out = Array.from(prompt, (c) => vocab.indexOf(c));
  model.eval();
  for (let i = 0; i < n; i++) {
    const ctx = out.slice(-CONTEXT);
    const p = d.tidy(() => d.noGrad(() => {
      const logits = model.call(d.tensor(Int32Array.from(ctx), { dtype: 'i32', shape: [1, ctx.length] }));
      return nn.functional.softmax(logits.narrow(1, ctx.length - 1, 1).reshape([-1]).div(0.8), 0).dataSync();
    }));
    let u = Math.random(), k = 0;
    while ((u -= p[k]) > 0 && k < p.length - 1) k++;
    out.push(k);
  }
  model.train();
  return out.map((i) => vocab[i]).join('');
}

const model = new CharLM();
const opt = new optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });
const sched = new optim.lrScheduler.CosineAnnealingLR(opt, { TMax: STEPS });
console.log(`${text.length} characters, vocabulary ${vocab.length}; ${model.parameters().reduce((a, p) => a + p.size, 0)} parameters; ${STEPS} steps of ${BATCH}×${CONTEXT} tokens`);
const t0 = performance.now();
for (let step = 1; step <= STEPS; step++) {
  const [x, y] = batch();
  const loss = d.tidy(() => {
    opt.zeroGrad();
    const l = nn.functional.crossEntropy(model.call(x).reshape([-1, vocab.length]), y);
    l.backward();
    nn.utils.clipGradNorm(model.parameters(), 1);
    opt.step();
    sched.step();
    return l.item();
  });
  d.dispose([x, y]);
  if (step % 100 === 0 || step === STEPS) {
    const seconds = (performance.now() - t0) / 1000;
    console.log(`step ${step}: loss ${loss.toFixed(3)}, ${Math.round((step * BATCH * CONTEXT) / seconds)} tokens/s`);
    console.log(`  ${JSON.stringify(sample(model, 'Shall I ', 80))}`);
  }
}
model.dispose();
