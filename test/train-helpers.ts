// Small classification problems for the fit tests: synthetic, so they run in milliseconds.
import * as d from '../ts/index.js';

export interface Problem { train: d.data.DataLoader; val: d.data.DataLoader; model: d.nn.Module; dispose(): void }

/** A 3-class problem on 4x4 "images" (labels from a fixed linear rule) and an MLP with dropout (default 0.2). */
export function problem(seed = 0, o: { rows?: number; batchSize?: number; dropout?: number } = {}): Problem {
  d.manualSeed(seed);
  const rows = o.rows ?? 90;
  const x = d.randn([rows + 30, 1, 4, 4]);
  const rule = d.randn([16, 3]);
  const y = d.tidy(() => x.reshape([rows + 30, 16]).matmul(rule).argmax(1));
  rule.dispose();
  const all = new d.data.TensorDataset(x, y);
  const tr = all.subset(Array.from({ length: rows }, (_, i) => i));
  const va = all.subset(Array.from({ length: 30 }, (_, i) => rows + i));
  all.dispose();
  const model = new d.nn.Sequential(new d.nn.Flatten(), new d.nn.Linear(16, 12), new d.nn.ReLU(), o.dropout === 0 ? new d.nn.Identity() : new d.nn.Dropout(o.dropout ?? 0.2), new d.nn.Linear(12, 3));
  return {
    train: new d.data.DataLoader(tr, { batchSize: o.batchSize ?? 16, shuffle: true, seed: 7 }),
    val: new d.data.DataLoader(va, { batchSize: 16 }),
    model,
    dispose() { tr.dispose(); va.dispose(); model.dispose(); },
  };
}

/** The bits of every parameter, for bit-for-bit comparisons. */
export const paramBits = (m: d.nn.Module): number[][] =>
  m.parameters().map((p) => Array.from(new Uint32Array(Float32Array.from(p.dataSync()).buffer)));

/** Adam + cosine schedule on problem(9) for `epochs`, optionally checkpointing or resuming. */
export async function run(epochs: number, o: { checkpoint?: string; resume?: string } = {}) {
  const p = problem(9);
  const opt = new d.optim.Adam(p.model.parameters(), { lr: 0.01 });
  const scheduler = new d.optim.lrScheduler.CosineAnnealingLR(opt, { TMax: 3 });
  const r = await d.train.fit(p.model, opt, { train: p.train, val: p.val, epochs, scheduler,
    ...(o.checkpoint ? { checkpoint: { path: o.checkpoint } } : {}), ...(o.resume ? { resume: o.resume } : {}) });
  const bits = paramBits(p.model);
  p.dispose();
  return { r, bits };
}
