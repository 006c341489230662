// The `descent` CLI as a user meets it: spawned as `node build/cli.js` (bundled here first) with
// small budgets. Bad input is one stderr line and exit code 2 with no file written; --json puts
// one object on the last stdout line; reports parse and contain their plots.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
// @ts-expect-error: plain ESM build script without type declarations
import { bundleCli } from '../scripts/bundle.mjs';
import { checkWellFormed, plots } from './viz-helpers.js';

let cli = '';
const dir = mkdtempSync(join(tmpdir(), 'descent-cli-'));
beforeAll(async () => { cli = await bundleCli(join('build', 'test', 'cli.js')); });

/** Runs the CLI without any V8 flag (as `npx descent` does) and without a TTY. */
function descent(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const lastJson = (out: string): Record<string, any> => JSON.parse(out.trim().split('\n').at(-1)!);

describe('bad input: one line on stderr, exit code 2, no stack trace, nothing written', () => {
  const report = join(dir, 'never.html');
  const cases: [string[], RegExp][] = [
    [['fly'], /unknown command 'fly'/],
    [['toy', '--speed', '3'], /unknown option '--speed'/],
    [['toy', '--fn', 'sphere'], /--fn expects one of rosenbrock, beale, himmelblau, saddle, quadratic, got 'sphere'/],
    [['toy', '--optimizers', 'adam,adamz', '--report', report], /unknown optimizer 'adamz'; expected one of sgd/],
    [['toy', '--steps', '1.5'], /--steps expects an integer ≥ 1 and ≤ 100000, got '1.5'/],
    [['toy', '--optimizers', 'adam:lr=-1', '--report', report], /lr/],
    [['race', '--target-acc', '1.2', '--report', report], /--target-acc expects a number > 0 and ≤ 1, got '1.2'/],
    [['race', '--budget', 'soon'], /--budget expects a duration such as 90s or 2m, got 'soon'/],
    [['train', '--model', 'resnet'], /'resnet'.*Allowed choices are logreg, mlp, cnn, charlm/],
    [['train', '--epochs', '1', '--report', join(dir, 'no', 'such', 'r.html')], /--report: cannot write .* does not exist or is not writable/],
    [['train', '--epochs', '1', '--data', join(dir, 'nothing-here'), '--report', report], /t10k-images-idx3-ubyte/],
    [['landscape', '--checkpoint', join(dir, 'none'), '--epochs', '1', '--report', report], /model.safetensors' does not exist/],
  ];
  for (const [args, message] of cases) {
    test(args.join(' '), () => {
      const r = descent(...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n').filter((l) => !/^\S+ \d+\/\d+ /.test(l)), r.err).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(existsSync(report)).toBe(false);
    });
  }
});

test('every command has --help naming its options', () => {
  for (const [cmd, flag] of [['train', '--optimizer'], ['race', '--target-acc'], ['toy', '--fn'], ['landscape', '--checkpoint']]) {
    const r = descent(cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain(flag);
    expect(r.out).toContain('--json');
  }
});

test('toy --json: the final point per optimizer; the report draws trajectories over contours', () => {
  const report = join(dir, 'toy.html');
  const r = descent('toy', '--fn', 'beale', '--optimizers', 'gd,adam:lr=0.05,lbfgs', '--steps', '40', '--report', report, '--json');
  expect(r.code, r.err).toBe(0);
  const j = lastJson(r.out);
  expect(j.results.map((x: any) => x.optimizer)).toEqual(['gd', 'adam:lr=0.05', 'lbfgs']);
  expect(j.results[2].x).toBeCloseTo(3, 4);
  expect(j.results[2].y).toBeCloseTo(0.5, 4);
  const html = readFileSync(report, 'utf8');
  checkWellFormed(html);
  expect(plots(html).length).toBe(2);
  expect(plots(html)[0].paths).toBeGreaterThan(10);
});

test('train --json reports test accuracy and epochs; --report writes the curves; checkpoints resume', () => {
  const report = join(dir, 'train.html'), ckpt = join(dir, 'ckpt');
  const r = descent('train', '--model', 'logreg', '--optimizer', 'adam', '--lr', '3e-3', '--epochs', '1', '--threads', '1',
    '--checkpoint', ckpt, '--report', report, '--json');
  expect(r.code, r.err).toBe(0);
  const j = lastJson(r.out);
  expect(j.testAccuracy).toBeGreaterThan(0.7);
  expect(j.epochs).toHaveLength(1);
  expect(Object.keys(j.epochs[0])).toEqual(expect.arrayContaining(['epoch', 'trainLoss', 'valAccuracy', 'seconds']));
  expect(readdirSync(ckpt).sort()).toEqual(['model.safetensors', 'state.json']);
  checkWellFormed(readFileSync(report, 'utf8'));
  expect(plots(readFileSync(report, 'utf8'))).toHaveLength(2);
  const resumed = descent('train', '--model', 'logreg', '--optimizer', 'adam', '--lr', '3e-3', '--epochs', '2', '--threads', '1', '--resume', ckpt, '--json');
  expect(resumed.code, resumed.err).toBe(0);
  const k = lastJson(resumed.out);
  expect(k.epochs.map((e: any) => e.epoch)).toEqual([1, 2]);
  expect(k.epochs[0].trainLoss).toBe(j.epochs[0].trainLoss);
});

test('race --json: time and steps to target per optimizer, the profile, and a report with its plots', () => {
  const report = join(dir, 'race.html');
  const r = descent('race', '--optimizers', 'sgd:lr=0.1,adam:lr=3e-3', '--models', 'logreg', '--target-acc', '0.6',
    '--budget', '6s', '--epochs', '2', '--report', report, '--json');
  expect(r.code, r.err).toBe(0);
  const j = lastJson(r.out);
  expect(j.results.map((x: any) => [x.optimizer, x.lr])).toEqual([['sgd:lr=0.1', 0.1], ['adam:lr=0.003', 3e-3]]);
  for (const x of j.results) {
    expect(x).toHaveProperty('timeToTarget');
    expect(x).toHaveProperty('stepsToTarget');
    expect(x.finalAccuracy).toBeGreaterThan(0.5);
  }
  expect(j.profile).toHaveLength(2);
  const html = readFileSync(report, 'utf8');
  checkWellFormed(html);
  expect(plots(html)).toHaveLength(3);
});

test('landscape --json: the loss is lowest near the trained point; the report has the heatmap and the curve', () => {
  const report = join(dir, 'land.html');
  const r = descent('landscape', '--model', 'logreg', '--epochs', '1', '--points', '5', '--samples', '200', '--report', report, '--json');
  expect(r.code, r.err).toBe(0);
  const j = lastJson(r.out);
  expect(j.grid.losses).toHaveLength(5);
  expect(j.line[2].alpha).toBe(0);
  expect(j.line[2].loss).toBeLessThan(Math.min(j.line[0].loss, j.line[4].loss));
  const html = readFileSync(report, 'utf8');
  checkWellFormed(html);
  expect(plots(html)).toHaveLength(2);
});
