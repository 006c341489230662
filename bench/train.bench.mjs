// `npm run bench -- train`: epochs of an MLP 784-256-10 (ReLU), Adam lr 1e-3, batch 128, over
// the full 60,000 Fashion-MNIST training images (shuffled), then test accuracy on the 10,000 test
// images. descent runs `train.fit` (the CLI's path) with the relaxed-SIMD FMA kernels (the CLI
// default) and with --deterministic kernels; peers in the same run: TensorFlow.js on its wasm
// backend (the same loop, backward and Adam written in tf ops) and PyTorch (Debian's python3-torch on
// OpenBLAS: apt-get install python3-torch libopenblas0-openmp; skipped with a note when absent), each
// on 1 and 2 threads. Every configuration trains fresh models (same seed)
// for warm-up epochs, then timed epochs; the table gives the first (cold) epoch and the median of
// the timed ones. V8 needs a few epochs to optimise the JS and the pool workers (on 2 cores its
// background compiler competes with both threads), so the cold epoch is printed beside the median.
// Peers run one warm-up epoch and one timed epoch each (their epochs are ten times longer). Then
// descent's step is profiled (d.startProfile() around train.fit, after a warm-up): a table of
// ms per step by category — GEMM, elementwise, reductions, optimizer, data batching, allocator,
// host transfers, JS↔wasm dispatch, autograd bookkeeping, and the JS op layer.
//   Data: $FASHION_MNIST_DIR, ../shared/data/fashion-mnist beside the clone, or /work/shared/data/fashion-mnist.
//   Epoch counts: BENCH_TRAIN_WARM (default 3) warm-up and BENCH_TRAIN_TIMED (default 3) timed epochs per row.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry, machine, table, torchChild } from './util.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 128;
// A smoke run can use fewer training images: BENCH_TRAIN_IMAGES=2000 npm run bench -- train
const N = Number(process.env.BENCH_TRAIN_IMAGES ?? 60000);
const WARM = Number(process.env.BENCH_TRAIN_WARM ?? 3), TIMED = Number(process.env.BENCH_TRAIN_TIMED ?? 3);

export function dataDir() {
  const candidates = [process.env.FASHION_MNIST_DIR, join(root, '..', 'shared', 'data', 'fashion-mnist'), '/work/shared/data/fashion-mnist'];
  return candidates.find((c) => c && existsSync(join(c, 'train-images-idx3-ubyte.gz')));
}

export async function loadAll(d, dir) {
  const train = await d.data.readLabeledImages(`${dir}/train-images-idx3-ubyte.gz`, `${dir}/train-labels-idx1-ubyte.gz`, 10);
  const test = await d.data.readLabeledImages(`${dir}/t10k-images-idx3-ubyte.gz`, `${dir}/t10k-labels-idx1-ubyte.gz`, 10);
  const all = (n) => Int32Array.from({ length: n }, (_, i) => i);
  const norm = d.data.pixelStats(train.images, all(N));
  return { train: d.data.toDataset(train, all(N), norm), test: d.data.toDataset(test, all(10000), norm), raw: { train, test, norm } };
}

export const mlp = (d) => new d.nn.Sequential(new d.nn.Flatten(), new d.nn.Linear(784, 256), new d.nn.ReLU(), new d.nn.Linear(256, 10));

const adam = (d, model) => new d.optim.Adam(model.parameters(), { lr: 1e-3 });

/**
 * `warm` untimed then `timed` timed epochs of a fresh model each (same seed, so the same
 * trajectory and accuracy): the first epoch's seconds (cold), the median of the timed ones.
 */
async function descentEpochs(d, data, threads, deterministic, optimizer = adam, warm = WARM, timed = TIMED) {
  await d.init({ threads, deterministic });
  const seconds = [];
  let acc = NaN;
  for (let e = 0; e < warm + timed; e++) {
    d.manualSeed(0);
    const model = mlp(d);
    const opt = optimizer(d, model);
    const loader = new d.data.DataLoader(data.train, { batchSize: BATCH, shuffle: true, seed: 0 });
    const r = await d.train.fit(model, opt, { train: loader, epochs: 1 });
    seconds.push(r.epochs[0].seconds);
    if (e === warm + timed - 1) acc = d.train.evaluate(model, new d.data.DataLoader(data.test, { batchSize: 1000 })).accuracy;
    model.dispose();
  }
  const sorted = seconds.slice(warm).sort((a, b) => a - b);
  return { cold: seconds[0], seconds: sorted[sorted.length >> 1], acc };
}

/** Rows of the step table: profile categories, what each one holds. */
const PROFILE_ROWS = [
  ['gemm', 'GEMM (forward, dX, dW; driver and pool wait included)'],
  ['elementwise', 'elementwise kernels (ReLU mask, bias, copies, fills)'],
  ['reduction', 'reductions and softmax-CE kernels'],
  ['optimizer', 'fused optimizer update kernel'],
  ['indexing', 'gather/scatter kernels outside data batching'],
  ['data', 'data batching (DataLoader: index tensor, gathers)'],
  ['allocator', 'allocator (alloc/free)'],
  ['transfer', 'host reads/writes (syncs, small index tensors)'],
  ['dispatch', 'JS↔wasm dispatch (validation, shape collapse, META, crossing)'],
  ['autograd', 'autograd bookkeeping (graph walk, grad accumulation)'],
  ['ops', 'op layer, Tensor records, tidy, fit loop (JS)'],
];

/**
 * Where one fit step's time goes: WARM warm-up epochs, then one epoch of `train.fit` over the same
 * loader under startProfile(); per-step ms of each category (they add up to the profiled wall time).
 */
async function profileSteps(d, data, threads) {
  await d.init({ device: 'wasm', threads, deterministic: false });
  d.manualSeed(0);
  const model = mlp(d);
  const opt = new d.optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new d.data.DataLoader(data.train, { batchSize: BATCH, shuffle: true, seed: 0 });
  const steps = loader.length;
  await d.train.fit(model, opt, { train: loader, epochs: Math.max(1, WARM) });
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration; });
  gc.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage(), main0 = mainThreadCpuMs();
  const p = d.startProfile();
  await d.train.fit(model, opt, { train: loader, epochs: 1, maxSteps: steps });
  const r = p.stop();
  const cpu = process.cpuUsage(cpu0), mainMs = mainThreadCpuMs() - main0;
  await new Promise((done) => setImmediate(done)); // gc entries arrive asynchronously
  gc.disconnect();
  model.dispose();
  return { ...r, steps, cpuMs: (cpu.user + cpu.system) / 1000, mainMs, gcMs };
}

/**
 * CPU ms of this (the main) thread so far, where Linux shows it (/proc/thread-self/stat, 10 ms
 * ticks); NaN elsewhere. The process's CPU time minus this is other threads': pool workers, and
 * V8's own (concurrent GC marking and sweeping, compilation).
 */
function mainThreadCpuMs() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in USER_HZ = 100 ticks
  } catch {
    return NaN;
  }
}

/**
 * The same epoch in tfjs-wasm (or on `backend`, already registered, as bench/webgpu.bench.mjs does). tfjs-core's Node entry registers no gradients (and its ESM
 * gradient files do not load in Node), so backward and Adam are written out in tf ops:
 * g = (softmax − onehot)/B, dW = Xᵀg per layer, the ReLU mask, torch's Adam with bias correction.
 */
export async function tfjsEpoch(raw, threads, backend = 'wasm') {
  const tf = await import('@tensorflow/tfjs-core');
  const tfw = backend === 'wasm' ? await import('@tensorflow/tfjs-backend-wasm') : null;
  tfw?.setThreadsCount?.(threads);
  await tf.setBackend(backend);
  await tf.ready();
  const { norm } = raw;
  const toX = (imgs, n) => tf.tensor2d(Float32Array.from(imgs.images.data.subarray(0, n * 784), (v) => (v / 255 - norm.mean) / norm.std), [n, 784]);
  const X = toX(raw.train, N), Xt = raw.test && toX(raw.test, 10000); // no test set: no accuracy
  const Y = tf.oneHot(tf.tensor1d(Int32Array.from(raw.train.labels.data.subarray(0, N)), 'int32'), 10), yt = raw.test && Array.from(raw.test.labels.data);
  const init = (fanIn, shape) => tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), 'float32', 0);
  let P = [init(784, [784, 256]), init(784, [256]), init(256, [256, 10]), init(256, [10])];
  let M = P.map((p) => tf.zerosLike(p)), V = P.map((p) => tf.zerosLike(p));
  const net = (x) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, P[0]), P[1])), P[2]), P[3]);
  const perm = tf.util.createShuffledIndices(N);
  const t0 = performance.now();
  let t = 0;
  for (let i = 0; i < N; i += BATCH) {
    t++;
    const next = tf.tidy(() => {
      const idx = tf.tensor1d(Int32Array.from(perm.subarray(i, i + BATCH)), 'int32');
      const x = tf.gather(X, idx), y = tf.gather(Y, idx);
      const z1 = tf.add(tf.matMul(x, P[0]), P[1]), h = tf.relu(z1);
      const g = tf.div(tf.sub(tf.softmax(tf.add(tf.matMul(h, P[2]), P[3])), y), x.shape[0]);
      const dz1 = tf.mul(tf.matMul(g, P[2], false, true), tf.step(z1));
      const grads = [tf.matMul(x, dz1, true, false), tf.sum(dz1, 0), tf.matMul(h, g, true, false), tf.sum(g, 0)];
      const m = grads.map((gr, k) => tf.add(tf.mul(M[k], 0.9), tf.mul(gr, 0.1)));
      const v = grads.map((gr, k) => tf.add(tf.mul(V[k], 0.999), tf.mul(tf.square(gr), 0.001)));
      const step = 1e-3 / (1 - 0.9 ** t), c2 = Math.sqrt(1 - 0.999 ** t);
      const p = P.map((w, k) => tf.sub(w, tf.mul(tf.div(m[k], tf.add(tf.div(tf.sqrt(v[k]), c2), 1e-8)), step)));
      return [p, m, v];
    });
    tf.dispose([...P, ...M, ...V]);
    [P, M, V] = next;
  }
  await P[0].data();
  const seconds = (performance.now() - t0) / 1000;
  const pred = Xt && await tf.tidy(() => tf.argMax(net(Xt), 1)).data();
  const acc = pred ? pred.reduce((a, q, i) => a + (q === yt[i] ? 1 : 0), 0) / yt.length : null;
  return { seconds, acc, threads: tfw?.getThreadsCount?.() ?? threads, version: tf.version_core };
}

/** tfjs-wasm fixes its thread count when the backend starts: each count runs in its own process. */
function tfjsChild(dir, threads) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--tfjs', dir, String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return { note: (r.stderr || 'failed').trim().split('\n').at(-1) };
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

function torchEpoch(dir, threads) {
  const r = torchChild(join(root, 'bench', 'train_torch.py'), [dir, String(threads)], threads);
  if (r.note) return r;
  return { cold: r.coldSeconds, seconds: r.seconds, acc: r.testAccuracy, version: `${r.torch} (${r.blas})` };
}

export default async function run(args) {
  const dir = dataDir();
  if (!dir) {
    console.log('train: full Fashion-MNIST not found (set FASHION_MNIST_DIR or put it at ../shared/data/fashion-mnist); skipped');
    return;
  }
  const threadsList = args.includes('--1t') ? [1] : [1, 2];
  const d = await import(await bundleEntry('ts/index.ts', join('build', 'bench', 'descent.train.js')));
  await d.init({ device: 'wasm' }); // the data tensors live on the wasm device (no GPU probe in a CPU bench)
  const data = await loadAll(d, dir);
  const rows = [];
  for (const threads of threadsList) {
    for (const deterministic of [false, true]) {
      const r = await descentEpochs(d, data, threads, deterministic);
      rows.push([`descent fit (${deterministic ? "--deterministic" : "FMA, default"})`, String(threads), r.cold, r.seconds, (100 * r.acc).toFixed(2)]);
      console.error(rows.at(-1).join(' | '));
    }
    const torch = torchEpoch(dir, threads);
    rows.push(torch.note ? [`PyTorch: skipped (${torch.note})`, String(threads), 'n/a', 'n/a', 'n/a'] : [`PyTorch ${torch.version}`, String(threads), torch.cold, torch.seconds, (100 * torch.acc).toFixed(2)]);
    const tf = tfjsChild(dir, threads);
    rows.push(tf.note ? [`tfjs-wasm: failed (${tf.note})`, String(threads), 'n/a', 'n/a', 'n/a'] : [`tfjs-wasm ${tf.version} (threads reported: ${tf.threads})`, String(threads), tf.cold, tf.seconds, (100 * tf.acc).toFixed(2)]);
    console.error(rows.at(-2).join(' | '));
    console.error(rows.at(-1).join(' | '));
  }
  console.log(`${machine()}; ${new Date().toISOString().slice(0, 10)}; data ${dir}`);
  console.log(`Epochs of MLP 784-256-10 ReLU, Adam 1e-3, batch 128, ${N} images; seconds exclude data loading and the test pass. `
    + `descent: first epoch of the configuration (cold), then the median of ${TIMED} epochs after ${WARM} warm-up epochs; peers: the first epoch, then a second one.\n`);
  console.log(table(['run', 'threads', 'first epoch s (cold)', 'epoch s (warm)', 'test acc %'], rows));
  await muonBesideAdam(d, data, threadsList, rows);
  const threads = threadsList.at(-1);
  const p = await profileSteps(d, data, threads);
  const per = (ms) => ms / p.steps;
  console.log(`\nWhere one descent step goes (FMA, ${threads} thread${threads > 1 ? 's' : ''}; train.fit under d.startProfile(), ${p.steps} steps; `
    + `ms per step, exclusive; the profiler's own timing calls are spread over the rows):\n`);
  console.log(table(['category', 'ms / step', '% of step'], [
    ...PROFILE_ROWS.map(([k, what]) => [what, per(p.ms[k]).toFixed(3), (100 * p.ms[k] / p.totalMs).toFixed(1)]),
    ['total (profiled wall time)', per(p.totalMs).toFixed(3), '100.0'],
  ]));
  const calls = Object.entries(p.calls).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${(n / p.steps).toFixed(1)}`).join(', ');
  console.log(`Per step: ${(p.backendCalls / p.steps).toFixed(1)} backend calls (${calls}), ${(p.kernelCalls / p.steps).toFixed(1)} wasm kernel calls; `
    + `CPU time of this process ${per(p.cpuMs).toFixed(3)} ms/step (worker threads included), of the main thread ${per(p.mainMs).toFixed(3)} `
    + `(the rest: pool workers and V8's background GC and compiler threads); garbage-collection pauses on the main thread ${per(p.gcMs).toFixed(3)} ms/step `
    + `(inside the rows above). Outside GEMM: ${per(p.totalMs - p.ms.gemm).toFixed(3)} ms/step.`);
  d.dispose([...data.train.tensors, ...data.test.tensors]);
}

// ---- Muon beside Adam (issue 12) ----------------------------------------------------------------
// The same epoch with MuonWithAuxAdam: both weight matrices on Muon (lr 0.02, momentum 0.95,
// Newton–Schulz 5 steps on the wasm symmetric-product path), biases on Adam (lr 1e-3); Adam's
// epoch from the table above beside it. One warm-up epoch (the JS is warm by now), then the median of TIMED.
async function muonBesideAdam(d, data, threadsList, adamRows) {
  const muon = (dd, model) => {
    const { muon: hidden, adam: rest } = dd.optim.splitForMuon(model.parameters(), { ends: 'muon' });
    return new dd.optim.MuonWithAuxAdam([{ params: hidden, useMuon: true, lr: 0.02 }, { params: rest, useMuon: false, lr: 1e-3 }]);
  };
  const rows = [];
  for (const threads of threadsList) {
    for (const deterministic of [false, true]) {
      const label = deterministic ? '--deterministic' : 'FMA, default';
      const r = await descentEpochs(d, data, threads, deterministic, muon, 1);
      const a = adamRows.find((row) => row[0] === `descent fit (${label})` && row[1] === String(threads));
      rows.push([label, String(threads), a[3], a[4], r.seconds, (100 * r.acc).toFixed(2), `${(r.seconds / a[3]).toFixed(2)}×`]);
      console.error(rows.at(-1).join(' | '));
    }
  }
  console.log('\nMuon (MuonWithAuxAdam: both weights on Muon, NS5) beside Adam, same epoch and seed:\n');
  console.log(table(['kernels', 'threads', 'Adam epoch s', 'Adam acc %', 'Muon epoch s', 'Muon acc %', 'Muon / Adam'], rows));
}

if (process.argv[2] === '--tfjs') {
  const [, , , dir, threads] = process.argv;
  const d = await import(await bundleEntry('ts/index.ts', join('build', 'bench', 'descent.train.js')));
  await d.init({ device: 'reference' });
  const data = await loadAll(d, dir);
  const cold = await tfjsEpoch(data.raw, Number(threads)); // the backend and its kernels warm up
  const warm = await tfjsEpoch(data.raw, Number(threads));
  console.log(JSON.stringify({ ...warm, cold: cold.seconds }));
}
