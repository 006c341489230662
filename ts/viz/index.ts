// The Node-only reporting entry (build/viz.node.js, `descent/viz`): Vega-Lite charts rendered to
// SVG and self-contained HTML reports, for examples and scripts. Kept out of ts/index.ts so the
// browser bundle of the engine stays free of vega and node:fs.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DescentError } from '../errors.js';

export { lineChart, barChart, contourChart, profileChart, sampleGrid, type Point, type Bar, type Grid, type Overlay } from './charts.js';
export { toSvg, type ChartSpec } from './render.js';
export { markdownTable, renderReport, writeReport, type Report, type ReportSection } from './report.js';

/**
 * Where an example's report `<name>.html` goes: inside `dir`, else $DESCENT_REPORT_DIR, else
 * ./reports (created when missing). Returns the absolute path.
 */
export function reportPath(name: string, dir?: string): string {
  if (!/^[\w.-]+$/.test(name)) throw new DescentError('BAD_ARGUMENT', `reportPath: expected a file name of letters, digits, '.', '_' or '-', got ${JSON.stringify(name)}`);
  const folder = resolve(dir ?? process.env.DESCENT_REPORT_DIR ?? 'reports');
  mkdirSync(folder, { recursive: true });
  return join(folder, `${name}.html`);
}
