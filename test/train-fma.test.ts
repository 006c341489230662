// fit on the CLI's default kernels (relaxed-SIMD FMA, deterministic: false): resume is still bit
// for bit, and memory stays flat. (Own file: init's build choice is per process.)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import * as d from '../ts/index.js';
import { problem, run } from './train-helpers.js';

beforeAll(async () => { await d.init({ device: 'wasm', build: 'relaxed', deterministic: false }); });

it('runs the relaxed FMA build', () => {
  expect(d.backendInfo()).toMatchObject({ build: 'relaxed', deterministic: false });
});

it('2 epochs + resume + 1 epoch == 3 epochs, bit for bit, with FMA kernels', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'descent-fma-')), 'ckpt');
  const straight = await run(3);
  await run(2, { checkpoint: dir });
  const resumed = await run(3, { resume: dir });
  expect(resumed.bits).toEqual(straight.bits);
  expect(resumed.r.epochs.map((e) => e.trainLoss)).toEqual(straight.r.epochs.map((e) => e.trainLoss));
});

it('keeps memory() flat over epochs with FMA kernels', async () => {
  const p = problem(8);
  const seen: number[] = [];
  await d.train.fit(p.model, new d.optim.Adam(p.model.parameters()), { train: p.train, val: p.val, epochs: 5,
    callbacks: [{ onEpochEnd: () => { seen.push(d.memory().wasm.bytes); } }] });
  expect(Math.max(...seen.slice(1))).toBeLessThanOrEqual(seen[1]); // collections of earlier garbage only lower it
  p.dispose();
});
