// Shared benchmark helpers: timing (median of N samples after warm-up, each sample long enough for
// the timer), markdown tables, ratios and throughput, the machine line, and bundling TS sources for
// a benchmark (wasm inlined, via scripts/bundle.mjs). Every benchmark prints what it measured.
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleEntry, bundleSource } from '../scripts/bundle.mjs';

export { bundleEntry, bundleSource };

/**
 * Times `fn` (sync, or async when opts.async): `warmup` untimed calls, then `runs` samples; each
 * sample repeats fn until at least `minSampleMs` passed and records ms per call. Returns the median.
 */
export async function measure(fn, { warmup = 3, runs = 9, minSampleMs = 25, async = false } = {}) {
  for (let i = 0; i < warmup; i++) async ? await fn() : fn();
  let reps = 1;
  const samples = [];
  while (samples.length < runs) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) async ? await fn() : fn();
    const dt = performance.now() - t0;
    if (dt < minSampleMs && samples.length === 0 && reps < 1 << 20) { reps *= 2; continue; }
    samples.push(dt / reps);
  }
  return { ms: median(samples), samples, reps };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** GB/s for `bytes` moved in `ms`. */
export const gbps = (bytes, ms) => bytes / (ms * 1e6);

/** "2.31×" style ratio a/b. */
export const ratio = (a, b) => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');

export const fmt = (x, digits = 3) => (typeof x === 'number' ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(digits)) : String(x));

/** A markdown table from `rows` (arrays) under `header`. */
export function table(header, rows) {
  const cells = [header, ...rows].map((r) => r.map((c) => fmt(c)));
  const w = header.map((_, j) => Math.max(...cells.map((r) => r[j].length)));
  const line = (r) => `| ${r.map((c, j) => c.padEnd(w[j])).join(' | ')} |`;
  return [line(cells[0]), `| ${w.map((n) => '-'.repeat(n)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

/** One line describing the machine and runtime, printed above every table. */
export function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, Node ${process.version}, ${os.platform()}-${os.arch()}`;
}

/** Where benchmark bundles go (git-ignored). */
export const benchBuildDir = join(new URL('..', import.meta.url).pathname, 'build', 'bench');
