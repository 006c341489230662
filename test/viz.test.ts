// Reports: charts render to SVG headlessly, a contour map is drawn from isocontour paths (not a
// rect per cell), the HTML is self-contained and well formed, and writes are atomic.

import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { contourChart, lineChart, profileChart, quantileLevels, sampleGrid } from '../ts/viz/charts.js';
import { renderReport, writeAtomic, writeReport } from '../ts/viz/report.js';
import { toSvg } from '../ts/viz/render.js';
import { performanceProfile, profileSteps } from '../ts/cli/profile.js';
import * as viz from '../ts/viz/index.js';
import { checkWellFormed, plots } from './viz-helpers.js';

test('a contour chart draws filled level sets and trajectories as paths, not one rect per cell', async () => {
  const grid = sampleGrid((x, y) => x * x + 3 * y * y, [-2, 2], [-1, 1], 40);
  const svg = await toSvg(contourChart('bowl', grid, { x: 'x', y: 'y' }, {
    paths: [{ series: 'gd', x: -1.5, y: 0.8 }, { series: 'gd', x: -0.5, y: 0.2 }, { series: 'gd', x: 0, y: 0 }],
    markers: [{ label: 'minimum', x: 0, y: 0 }] }, 10));
  expect(svg.startsWith('<svg')).toBe(true);
  const [{ paths }] = plots(svg);
  expect(paths).toBeGreaterThanOrEqual(10 + 1);             // 10 level sets and the trajectory
  expect((svg.match(/<rect/g) ?? []).length).toBeLessThan(20); // background and frame only
});

test('quantile levels span the sampled values and start at their minimum', () => {
  const v = [5, 1, 4, 2, 3, 100];
  const l = quantileLevels(v, 4);
  expect(l[0]).toBe(1);
  expect(l).toEqual([...l].sort((a, b) => a - b));
  expect(Math.max(...l)).toBeLessThan(100);
});

test('a report is one self-contained, well-formed HTML file with its tables and plots', async () => {
  const html = await renderReport({ title: 'T <&>', sections: [
    { heading: 'curves', charts: [lineChart('loss', [{ series: 'a', x: 0, y: 1 }, { series: 'a', x: 1, y: 0.5 }], { x: 'epoch', y: 'loss' }),
      profileChart('profile', [{ series: 'a', x: 1, y: 1 }])] },
    { heading: 'table', table: { columns: ['optimizer', 'time'], rows: [['adam', 1.5]] } }] });
  checkWellFormed(html);
  expect(html).toContain('T &lt;&amp;&gt;');
  expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/); // nothing fetched at view time
  expect(plots(html)).toHaveLength(2);
  expect(html).toContain('<td>adam</td><td>1.5</td>');
});

test('reports are written atomically: a failed write leaves neither the file nor a temporary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-viz-'));
  await writeReport(join(dir, 'r.html'), { title: 'ok', sections: [] });
  expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('<h1>ok</h1>');
  expect(() => writeAtomic(join(dir, 'missing', 'r.html'), 'x')).toThrow();
  expect(readdirSync(dir)).toEqual(['r.html']);
  expect(existsSync(join(dir, 'missing'))).toBe(false);
});

test('descent/viz (a Node-only entry) writes an example report <name>.html under DESCENT_REPORT_DIR', async () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  expect(pkg.exports['./viz']).toEqual({ types: './build/types/viz/index.d.ts', node: './build/viz.node.js' });
  expect(readFileSync('ts/index.ts', 'utf8')).not.toContain('viz'); // the browser core stays free of vega and node:fs
  const dir = mkdtempSync(join(tmpdir(), 'descent-reports-'));
  const saved = process.env.DESCENT_REPORT_DIR;
  process.env.DESCENT_REPORT_DIR = join(dir, 'nested');
  try {
    const path = viz.reportPath('sam-vs-sgd');
    expect(path).toBe(join(dir, 'nested', 'sam-vs-sgd.html'));
    await viz.writeReport(path, { title: 'SAM', sections: [{ heading: 'accuracy', charts: [
      viz.barChart('test accuracy', [{ series: 'SGD', x: 'clean', y: 0.9 }, { series: 'SAM', x: 'clean', y: 0.95 }], { x: 'input', y: 'acc' }),
      viz.lineChart('loss', [{ series: 'SGD', x: 1, y: 2 }, { series: 'SGD', x: 2, y: 1 }], { x: 'epoch', y: 'loss', logY: true })] }] });
    const html = readFileSync(path, 'utf8');
    checkWellFormed(html);
    expect(plots(html)).toHaveLength(2);
    expect((html.match(/<path [^>]*aria-roledescription="bar"|role-mark[^"]*bar/g) ?? []).length).toBeGreaterThan(0);
  } finally {
    if (saved === undefined) delete process.env.DESCENT_REPORT_DIR; else process.env.DESCENT_REPORT_DIR = saved;
  }
  expect(viz.reportPath('x', dir)).toBe(join(dir, 'x.html'));
  expect(viz.markdownTable({ columns: ['a', 'b'], rows: [[1, 'x'], [2, 'y']] })).toBe('| a | b |\n| --- | --- |\n| 1 | x |\n| 2 | y |');
  expect(() => viz.reportPath('../escape')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
});

test('the Dolan–Moré profile counts problems solved within τ × the best time', () => {
  const t: Record<string, Record<string, number | null>> = { a: { p: 1, q: 4, r: null }, b: { p: 2, q: 2, r: null } };
  const prof = performanceProfile(['a', 'b'], ['p', 'q', 'r'], (s, p) => t[s][p]);
  expect(prof[0].points).toEqual([{ tau: 1, fraction: 1 / 3 }, { tau: 2, fraction: 2 / 3 }]);
  expect(prof[1].points).toEqual([{ tau: 1, fraction: 1 / 3 }, { tau: 2, fraction: 2 / 3 }]);
  expect(performanceProfile(['a'], ['r'], () => null)[0].points).toEqual([]);
});

test('profile steps start at τ = 1 and end at one common right edge', () => {
  const steps = profileSteps([{ optimizer: 'a', points: [{ tau: 1, fraction: 0.5 }, { tau: 3, fraction: 1 }] }, { optimizer: 'b', points: [{ tau: 2, fraction: 0.5 }] }]);
  expect(steps.filter((p) => p.series === 'a').map((p) => [p.x, p.y])).toEqual([[1, 0.5], [3, 1], [3.75, 1]]);
  expect(steps.filter((p) => p.series === 'b').map((p) => [p.x, p.y])).toEqual([[1, 0], [2, 0.5], [3.75, 0.5]]);
});
