// Shared benchmark helpers: timing on tinybench (median and spread of N samples after warm-up, each
// sample long enough for the timer), markdown tables, ratios and throughput, the machine line,
// bundling TS sources for a benchmark (wasm inlined, via scripts/bundle.mjs), and the launcher of
// the native PyTorch peers (torchChild).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const benchDir = dirname(fileURLToPath(import.meta.url));
/** Where benchmark bundles go (git-ignored). */
export const benchBuildDir = join(benchDir, '..', 'build', 'bench');

/**
 * Runs a PyTorch peer script (Debian's python3-torch) with `threads` threads; its last stdout line
 * parsed as JSON, or { note } when it cannot run. PyTorch as fast as this machine lets it run:
 * - Debian's torch calls the libblas.so.3 that the system's alternatives pick: the reference
 *   (netlib) BLAS unless an OpenBLAS package is installed: the MLP epoch took 22 s on it, 0.9 s on
 *   OpenBLAS (Intel Xeon guest, 1 thread).
 * - The OpenMP build of OpenBLAS shares torch's OpenMP threads; the pthread build starts its own
 *   beside them and on 2 cores the two oversubscribe (2 threads: 3.9–5.2 s an epoch against 1.1 s).
 *   So the OpenMP build goes first on the library path when installed (apt-get install
 *   libopenblas0-openmp), both thread counts pinned.
 * - OpenBLAS 0.3.21 does not know every CPU model: on an Intel Xeon guest (family 6, model 207)
 *   it fell back to its generic SSE3 kernels (Prescott, 31 GFLOP/s at 1024²) where its AVX-512
 *   ones (SkylakeX) ran 157. When it picks Prescott on a CPU with AVX2, OPENBLAS_CORETYPE names
 *   the kernel set the CPU's flags allow.
 * The scripts report the BLAS and kernel set they ran on (bench/torch_blas.py).
 */
export function torchChild(script, args, threads) {
  if (!existsSync('/usr/bin/python3')) return { note: 'no /usr/bin/python3' };
  const env = { ...torchEnv(), OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  const r = spawnSync('/usr/bin/python3', [script, ...args], { encoding: 'utf8', env });
  if (r.status !== 0) return { note: (r.stderr || r.error?.message || 'failed').trim().split('\n').at(-1) };
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}
const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
let torchEnvCache;

/** The environment of the PyTorch children (see torchChild), probed once. */
function torchEnv() {
  if (torchEnvCache) return torchEnvCache;
  const env = { ...process.env };
  if (existsSync(join(OPENBLAS_OPENMP, 'libblas.so.3'))) env.LD_LIBRARY_PATH = [OPENBLAS_OPENMP, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const probe = spawnSync('/usr/bin/python3', [join(benchDir, 'torch_blas.py')], { encoding: 'utf8', env });
  const flags = new Set((existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '').match(/^flags\s*:(.*)$/m)?.[1].trim().split(/\s+/) ?? []);
  if (probe.stdout.trim() === 'Prescott' && !env.OPENBLAS_CORETYPE) {
    if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((f) => flags.has(f))) env.OPENBLAS_CORETYPE = 'SkylakeX';
    else if (flags.has('avx2') && flags.has('fma')) env.OPENBLAS_CORETYPE = 'Haswell';
  }
  return (torchEnvCache = env);
}
