// GEMM thread pool: workers (worker_threads in Node, Web Workers in cross-origin-isolated
// browsers) instantiate the same wasm module on the same shared WebAssembly.Memory. A product is
// cut into CHUNKS_PER_THREAD × threads blocks of C's rows or columns, which the calling thread
// and the workers claim until none is left (gemm-worker.ts), so a worker the OS runs late costs
// its share, not a wait. Results are bit-identical to one thread because the driver splits M×N
// or the batch only (see gemm.ts). Symmetric products (syrk-part.ts) and fused updates are jobs of the same
// pool, split into triangle shares and records, and so are large elementwise calls and reductions
// (elementwise.ts, split into row ranges). Products below the split threshold (POOL_MIN_FLOPS) and
// elementwise calls below POOL_MIN_ELEMENTS stay on the calling thread: waking workers costs tens
// of microseconds.
//
// Each worker instantiates the module, which re-applies its active data segments (constant
// tables) to the shared memory: the same bytes, and nothing writes below the heap base, so it is
// harmless; workers never allocate (the calling thread hands them scratch).
//
// Also owns `shareMemoryImport`: the wasm binaries are compiled once with a shared-memory import
// (so threads need no third binary); where SharedArrayBuffer is not usable the runtime clears the
// shared bit in the import before compiling and gets a plain single-threaded module.

import { JOB, JOB_LEN, SPLIT_BATCH, SPLIT_M, SPLIT_N, jobRecord, runPart, scratchFor, setGemmExecutor, type GemmExecutor, type GemmRuntime } from './gemm.js';
import { gemmWorkerMain, runClaims } from './gemm-worker.js';
import { POOL_KERNEL_NAMES, UPDATE_JOB_TAG, poolPart } from './pool-part.js';
import { elementwisePart } from './elementwise-part.js';
import { symmetricPart } from './syrk-part.js';
import { DescentError, check } from '../../errors.js';

/** A runtime the pool can serve: its module is shipped to workers with the shared memory. */
export interface PoolRuntime extends GemmRuntime {
  readonly module: WebAssembly.Module;
}

/** Below this many flops a product runs on the calling thread (≈ 0.2 ms of work; measured: 128³ was slower on two threads). */
export const POOL_MIN_FLOPS = 2 ** 23;

/**
 * A split threshold of the pool and its setter, for measuring it (the benches): 0 splits every
 * job, Infinity none; `set` returns the previous value.
 */
export class SplitThreshold {
  value: number;
  constructor(private readonly setter: string, private readonly unit: string, initial: number) {
    this.value = initial;
  }

  set(value: number): number {
    check(value >= 0, 'BAD_OPTION', () => `${this.setter}: expected a number of ${this.unit} ≥ 0, got ${String(value)}`);
    const prev = this.value;
    this.value = value;
    return prev;
  }
}

const minFlops = new SplitThreshold('setPoolMinFlops', 'flops', POOL_MIN_FLOPS);
/** Sets the GEMM split threshold (default POOL_MIN_FLOPS; bench/gemm-threads.bench.mjs); returns the previous one. */
export const setPoolMinFlops = (flops: number): number => minFlops.set(flops);

/**
 * Below this many elements an elementwise call or reduction runs on the calling thread. Measured
 * with `npm run bench -- elementwise threads` on the quiet 2-core AMD EPYC (load < 1): at 2^16 a
 * split loses (add, relu 0.5×; only exp gains, 1.2×), at 2^18 memory-bound ops break even
 * (add 0.97×, relu 1.03×, row sums 1.25×) while exp gains 1.8×, from 2^20 everything gains
 * (1.35–1.8×).
 */
export const POOL_MIN_ELEMENTS = 2 ** 18;
const minElements = new SplitThreshold('setPoolMinElements', 'elements', POOL_MIN_ELEMENTS);
/** Sets the elementwise split threshold (default POOL_MIN_ELEMENTS); returns the previous one. */
export const setPoolMinElements = (elements: number): number => minElements.set(elements);

/** Part runner of the calling thread (the workers get the same one as source). */
const runPoolPart = poolPart(runPart, symmetricPart, elementwisePart, POOL_KERNEL_NAMES);
const JOB_OFFSET = 64;
/** How long an idle worker spins before sleeping, in ms. */
const SPIN_MS = 2;

interface Pool {
  rt: PoolRuntime;
  workers: { terminate(): unknown }[];
  flags: Int32Array;
  job: Float64Array;
  canBlock: boolean;
}

let pool: Pool | undefined;
let singleThread: GemmExecutor | undefined;

/** True where a shared WebAssembly.Memory can be created and handed to workers. */
export function sharedMemoryUsable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; process?: { versions?: { node?: string } } };
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  return typeof g.process?.versions?.node === 'string' || g.crossOriginIsolated === true;
}

/**
 * A Node built-in, imported by a computed name: an app that bundles descent's browser build
 * (esbuild, webpack, Vite) would fail on a literal import('node:…') it cannot resolve for the
 * web, though these imports only run in Node.
 */
function nodeBuiltin<T>(name: string): Promise<T> {
  const spec = 'node:' + name;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ spec) as Promise<T>;
}

/** Number of hardware threads (navigator.hardwareConcurrency, os.availableParallelism in Node). */
export async function coreCount(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  try {
    const os = await nodeBuiltin<typeof import('node:os')>('os');
    return os.availableParallelism?.() ?? os.cpus().length;
  } catch {
    return 1;
  }
}

/**
 * What init({ threads }) calls: validates `threads` (default: the core count) and (re)starts the
 * pool; returns the thread count in use (1 where memory cannot be shared).
 * @example await setThreads(rt, 2);
 */
export async function setThreads(rt: PoolRuntime, threads?: number): Promise<number> {
  check(threads === undefined || (Number.isInteger(threads) && threads >= 1 && threads <= 256), 'BAD_OPTION',
    () => `init: expected threads to be an integer in 1..256, got ${String(threads)}`);
  return startPool(rt, threads ?? (await coreCount()));
}

/** Threads the pool uses now (1 when no pool runs). */
export function poolThreads(): number {
  return pool ? pool.workers.length + 1 : 1;
}

/**
 * Starts (or restarts) the pool with `threads` threads in all, the calling thread included.
 * Falls back to one thread where memory is not shared or workers are unavailable; returns
 * the thread count actually in use.
 */
export function startPool(rt: PoolRuntime, threads: number): Promise<number> {
  return serialised(() => startPoolNow(rt, threads));
}

/** Stops the workers; GEMM runs on the calling thread afterwards. */
export function stopPool(): Promise<void> {
  return serialised(stopPoolNow);
}

/**
 * Pool changes run one after another, in call order: two overlapping init({ threads }) calls
 * would otherwise both find no pool, both start one, and the slower start would win (whichever
 * was asked last) while the other's workers were never terminated.
 */
let poolChange: Promise<unknown> = Promise.resolve();
function serialised<T>(change: () => Promise<T>): Promise<T> {
  const run = poolChange.then(change);
  poolChange = run.catch(() => undefined);
  return run;
}

async function startPoolNow(rt: PoolRuntime, threads: number): Promise<number> {
  await stopPoolNow();
  // sharedMemoryUsable() first: a page that is not cross-origin isolated has no SharedArrayBuffer
  // global at all, so the instanceof test alone would throw a ReferenceError there
  if (threads <= 1 || !sharedMemoryUsable() || !(rt.memory.buffer instanceof SharedArrayBuffer)) return 1;
  const ctrl = new SharedArrayBuffer(JOB_OFFSET + JOB_LEN * 8);
  const flags = new Int32Array(ctrl, 0, 4);
  const part = `(${poolPart.toString()})(${runPart.toString()}, ${symmetricPart.toString()}, ${elementwisePart.toString()}, ${JSON.stringify(POOL_KERNEL_NAMES)})`;
  const source = `(${gemmWorkerMain.toString()})(${part}, ${runClaims.toString()}, ${JOB_OFFSET}, ${JOB_LEN}, ${SPIN_MS});`;
  const workers = [];
  const ready: Promise<boolean>[] = [];
  const node = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  const NodeWorker = node ? (await nodeBuiltin<typeof import('node:worker_threads')>('worker_threads')).Worker : undefined;
  const url = NodeWorker ? '' : URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  for (let i = 0; i < threads - 1; i++) {
    const msg = { module: rt.module, memory: rt.memory, ctrl, index: i };
    if (NodeWorker) {
      // The worker source is a CommonJS script, so an inherited --input-type=module (node -e) would
      // break it; V8 flags (relaxed SIMD) are process-wide and need no per-worker execArgv.
      const execArgv = process.execArgv.some((a) => a.startsWith('--input-type')) ? [] : undefined;
      const w = new NodeWorker(source, { eval: true, execArgv });
      ready.push(new Promise((res, rej) => { w.once('message', () => res(true)); w.once('error', rej); }));
      w.postMessage(msg);
      workers.push(w);
    } else {
      // A page's Content-Security-Policy may forbid blob: workers (worker-src, or script-src
      // without blob:); the browser then throws or fires 'error'. GEMM then stays on the calling
      // thread (backendInfo().threads says 1) instead of init() failing.
      let w: Worker;
      try { w = new Worker(url); } catch { ready.push(Promise.resolve(false)); break; }
      ready.push(new Promise((res) => { w.onmessage = () => res(true); w.onerror = () => res(false); }));
      w.postMessage(msg);
      workers.push(w);
    }
  }
  let started: boolean[];
  try {
    started = await Promise.all(ready);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  } finally {
    if (url) URL.revokeObjectURL(url);
  }
  if (!started.every(Boolean)) {
    await Promise.all(workers.map((w) => w.terminate()));
    return 1;
  }
  // an idle pool must not keep Node alive
  for (const w of workers) (w as { unref?: () => void }).unref?.();
  let canBlock = true;
  try { Atomics.wait(flags, 3, 1, 0); } catch { canBlock = false; } // browsers' main thread may not block
  pool = { rt, workers, flags, job: new Float64Array(ctrl, JOB_OFFSET, JOB_LEN), canBlock };
  singleThread ??= setGemmExecutor(runOnPool);
  return threads;
}

async function stopPoolNow(): Promise<void> {
  const p = pool;
  if (!p) return;
  pool = undefined;
  Atomics.store(p.flags, 0, -1);
  Atomics.notify(p.flags, 0);
  await Promise.all(p.workers.map((w) => w.terminate()));
}

/** Chunks per thread: enough that a thread the OS runs late leaves its share to the others. */
export const CHUNKS_PER_THREAD = 4;

/**
 * What the chunks split. A batch with enough elements splits into whole elements (no packing
 * repeated). Otherwise each chunk takes a range of C's rows or columns in every element: every
 * chunk packs its own B columns and, unless A is read in place, its own A rows: splitting N
 * repeats A's packing per chunk (free when A is used in place: f32, row-major), splitting M
 * repeats B's. Take the cheaper side that has enough tiles.
 */
function chooseSplit(job: Float64Array, threads: number): { splitN: number; parts: number } {
  const [kernel, m, n, k] = [job[0], job[1], job[2], job[3]];
  const want = threads * CHUNKS_PER_THREAD;
  const nTiles = Math.ceil(n / (kernel === 2 ? 4 : 8)), mTiles = Math.ceil(m / 4);
  // f32 row-major A is read in place by every part of a split over N (both kernels: gemm.ts runPart)
  const aInPlace = kernel !== 2 && job[7] === 0 && job[6] === 1;
  const costN = aInPlace ? 0 : m * k, costM = k * n;
  let splitN = costN <= costM ? SPLIT_N : SPLIT_M;
  if ((splitN ? nTiles : mTiles) < want) splitN = nTiles >= mTiles ? SPLIT_N : SPLIT_M;
  const tiles = splitN ? nTiles : mTiles, count = job[JOB.batch];
  if (count >= want || count > tiles) return { splitN: SPLIT_BATCH, parts: Math.min(want, count) };
  // every chunk repacks the side it does not split: then one chunk per thread (8 chunks of a
  // 128×784·784×256 product that each packed all of A lost most of the second thread's gain)
  const repacks = splitN ? !aInPlace : true;
  return { splitN, parts: Math.min(repacks ? threads : want, tiles) };
}

const runOnPool: GemmExecutor = (rt, job, flops) => {
  const p = pool;
  const single = singleThread as GemmExecutor;
  if (!p || p.rt !== rt || flops < minFlops.value) return single(rt, job, flops);
  const threads = p.workers.length + 1;
  const split = chooseSplit(job, threads);
  if (split.parts <= 1) return single(rt, job, flops);
  job[19] = split.splitN;
  job[18] = split.parts;
  const parts = split.parts;
  job[16] = scratchFor(rt, threads * job[17]); // one scratch slot per thread, not per chunk
  runParts(p, job, parts);
};

/** Threads the pool gives a job of `flops` on `rt`: 1 (the calling thread alone) without a pool or below the split threshold. */
export function poolThreadsFor(rt: GemmRuntime, flops: number): number {
  return pool && pool.rt === rt && flops >= minFlops.value ? pool.workers.length + 1 : 1;
}

/** Threads the pool gives an elementwise call over `elements` elements on `rt` (1 below POOL_MIN_ELEMENTS). */
export function poolThreadsForElements(rt: GemmRuntime, elements: number): number {
  return pool && pool.rt === rt && elements >= minElements.value ? pool.workers.length + 1 : 1;
}

/** Runs a job record that poolPart understands in `parts` parts, on the pool poolThreadsFor found (scratch set by the caller). */
export function runJobOnPool(job: Float64Array, parts: number): void {
  runParts(pool as Pool, job, parts);
}

/** Publishes `job` (its `parts` parts) to the pool, claims parts with the workers and waits for all. */
function runParts(p: Pool, job: Float64Array, parts: number): void {
  p.job.set(job);
  Atomics.store(p.flags, 1, 0);
  Atomics.store(p.flags, 2, 0);
  Atomics.store(p.flags, 3, parts << 16); // publishes the job: claims start at chunk 0
  Atomics.add(p.flags, 0, 1);
  Atomics.notify(p.flags, 0);
  runClaims(runPoolPart, p.rt.exports, job, p.flags, 0);
  for (let done = Atomics.load(p.flags, 1); done < parts; done = Atomics.load(p.flags, 1)) {
    if (p.canBlock) Atomics.wait(p.flags, 1, done, 50);
  }
  if (Atomics.load(p.flags, 2) !== 0) {
    // only a driver bug can get here (the backend validates every view before a kernel runs)
    throw new DescentError('UNSUPPORTED', 'wasm pool: a thread failed on its part of a job (internal error); please report it');
  }
}

/**
 * Runs a fused update whose `count` one-record tables lie `recordBytes` apart from `table` on the
 * pool, one record per part; false (nothing run) when no pool serves `rt`.
 */
export function runUpdateOnPool(rt: PoolRuntime, kernel: number, table: number, count: number, recordBytes: number,
  scalars: readonly number[], flags: number): boolean {
  const p = pool;
  if (!p || p.rt !== rt) return false;
  const job = jobRecord();
  job.set([UPDATE_JOB_TAG, kernel, table, recordBytes, scalars.length, ...scalars, flags]);
  runParts(p, job, count);
  return true;
}

/**
 * Returns a copy of a wasm binary whose memory import has the shared bit set or cleared.
 * The limits flags byte of a memory import is 0x01 (min+max) or 0x03 (min+max, shared).
 */
export function shareMemoryImport(bytes: Uint8Array, shared: boolean): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes); // a copy on a fresh ArrayBuffer
  let pos = 8;
  const leb = (): number => {
    let v = 0, shift = 0, b: number;
    do { b = out[pos++]; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return v;
  };
  while (pos < out.length) {
    const id = out[pos++], size = leb();
    const end = pos + size;
    if (id !== 2) { pos = end; continue; }
    for (let n = leb(); n > 0; n--) {
      for (let name = 0; name < 2; name++) { const len = leb(); pos += len; } // module and field names
      const kind = out[pos++];
      if (kind === 0) leb();
      else if (kind === 1) { pos++; const f = out[pos++]; leb(); if (f & 1) leb(); }
      else if (kind === 3) pos += 2;
      else if (kind === 2) {
        if ((out[pos] & 1) === 1) out[pos] = shared ? out[pos] | 2 : out[pos] & ~2;
        return out;
      }
    }
    return out;
  }
  return out;
}
