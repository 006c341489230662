// Shared benchmark helpers: timing on tinybench (median and spread of N samples after warm-up, each
// sample long enough for the timer), markdown tables, ratios and throughput, the machine line, and
// bundling TS sources for a benchmark (wasm inlined, via scripts/bundle.mjs).
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Bench } from 'tinybench';
import { bundleEntry, bundleSource } from '../scripts/bundle.mjs';

export { bundleEntry, bundleSource };

/**
 * Times `fn` (sync, or async when opts.async) with tinybench: `warmup` untimed calls, then `runs`
 * samples; a sample repeats fn `reps` times, reps doubled until one sample lasts at least
 * `minSampleMs` (so fast kernels stay above the timer's resolution), and records ms per call.
 * Returns the median, the spread (median absolute deviation / median) and the samples.
 */
export async function measure(fn, { warmup = 3, runs = 9, minSampleMs = 25, async = false } = {}) {
  const once = async ? async (reps) => { for (let i = 0; i < reps; i++) await fn(); } : (reps) => { for (let i = 0; i < reps; i++) fn(); };
  await once(Math.max(1, warmup)); // warm before sizing the sample: a cold first call is slow
  let reps = 1;
  for (let t = 0; reps < 1 << 20; reps *= 2) {
    const t0 = performance.now();
    await once(reps);
    t = performance.now() - t0;
    if (t >= minSampleMs) break;
  }
  const bench = new Bench({
    iterations: runs, time: 0, warmup: warmup > 0, warmupIterations: warmup, warmupTime: 0, retainSamples: true, throws: true,
  });
  bench.add('sample', async ? () => once(reps) : () => { once(reps); });
  await bench.run();
  const { latency } = bench.tasks[0].result;
  const samples = Array.from(latency.samples, (ms) => ms / reps);
  return { ms: latency.p50 / reps, spread: latency.mad / latency.p50, samples, reps };
}

/** Median of samples timed one by one (whole epochs, training steps), where tinybench's sizing does not fit. */
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
