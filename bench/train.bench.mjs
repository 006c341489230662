// `npm run bench -- train`: one epoch of an MLP 784-256-10 (ReLU), Adam lr 1e-3, batch 128, over
// the full 60,000 Fashion-MNIST training images (shuffled), then test accuracy on the 10,000 test
// images. descent runs `train.fit` (the CLI's path) with the relaxed-SIMD FMA kernels (the CLI
// default) and with --deterministic kernels; peers in the same run: TensorFlow.js on its wasm
// backend (the same loop, backward and Adam written in tf ops) and PyTorch (Debian's python3-torch; skipped with a
// note when absent), each on 1 and 2 threads. One epoch each (an epoch is the unit measured);
// then one descent step is profiled: forward + loss, backward, optimizer step, and the same
// GEMMs timed alone (medians of 30 steps after 5 warm-up steps).
//   Data: $FASHION_MNIST_DIR, ../shared/data/fashion-mnist beside the clone, or /work/shared/data/fashion-mnist.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry, machine, median, table } from './util.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 128;
// A smoke run can use fewer training images: BENCH_TRAIN_IMAGES=2000 npm run bench -- train
const N = Number(process.env.BENCH_TRAIN_IMAGES ?? 60000);

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

async function descentEpoch(d, data, threads, deterministic) {
  await d.init({ threads, deterministic });
  d.manualSeed(0);
  const model = mlp(d);
  const opt = new d.optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new d.data.DataLoader(data.train, { batchSize: BATCH, shuffle: true, seed: 0 });
  const r = await d.train.fit(model, opt, { train: loader, epochs: 1 });
  const test = d.train.evaluate(model, new d.data.DataLoader(data.test, { batchSize: 1000 }));
  model.dispose();
  return { seconds: r.epochs[0].seconds, acc: test.accuracy };
}

/** Times the parts of one step (forward + loss, backward, optimizer) and the step's GEMMs alone. */
async function profileStep(d, data, threads) {
  await d.init({ threads, deterministic: false });
  d.manualSeed(0);
  const model = mlp(d);
  const opt = new d.optim.Adam(model.parameters(), { lr: 1e-3 });
  const [x, y] = d.tidy(() => data.train.tensors.map((t) => t.narrow(0, 0, BATCH).contiguous()));
  const parts = { forward: [], backward: [], step: [], gemm: [] };
  const w1 = d.randn([784, 256]), w2 = d.randn([256, 10]), g2 = d.randn([BATCH, 10]), h = d.randn([BATCH, 256]), xf = x.reshape([BATCH, 784]);
  for (let i = 0; i < 35; i++) {
    const t0 = performance.now();
    opt.zeroGrad();
    const loss = d.nn.functional.crossEntropy(model.call(x), y);
    loss.item();
    const t1 = performance.now();
    loss.backward();
    model.parameters()[0].grad.dataSync();
    const t2 = performance.now();
    opt.step();
    model.parameters()[0].dataSync();
    const t3 = performance.now();
    loss.dispose();
    // The step's six GEMMs: two forward, and per layer dW = Xᵀ·dY and dX = dY·Wᵀ (the first layer's dX is not needed)
    const t4 = performance.now();
    d.tidy(() => {
      xf.matmul(w1).dataSync(); h.matmul(w2).dataSync();
      h.transpose(0, 1).matmul(g2).dataSync(); g2.matmul(w2.transpose(0, 1)).dataSync();
      xf.transpose(0, 1).matmul(h).dataSync();
    });
    const t5 = performance.now();
    if (i >= 5) { parts.forward.push(t1 - t0); parts.backward.push(t2 - t1); parts.step.push(t3 - t2); parts.gemm.push(t5 - t4); }
  }
  d.dispose([x, y, w1, w2, g2, h]);
  model.dispose();
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, median(v)]));
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
  const r = spawnSync('/usr/bin/python3', [join(root, 'bench', 'train_torch.py'), dir, String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return { note: (r.stderr || r.error?.message || 'failed').trim().split('\n').at(-1) };
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1));
  return { seconds: j.seconds, acc: j.testAccuracy, version: j.torch };
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
      const r = await descentEpoch(d, data, threads, deterministic);
      rows.push([`descent fit (${deterministic ? "--deterministic" : "FMA, default"})`, String(threads), r.seconds, (100 * r.acc).toFixed(2)]);
      console.error(rows.at(-1).join(' | '));
    }
    const torch = existsSync('/usr/bin/python3') ? torchEpoch(dir, threads) : { note: 'no /usr/bin/python3' };
    rows.push(torch.note ? [`PyTorch: skipped (${torch.note})`, String(threads), 'n/a', 'n/a'] : [`PyTorch ${torch.version}`, String(threads), torch.seconds, (100 * torch.acc).toFixed(2)]);
    const tf = tfjsChild(dir, threads);
    rows.push(tf.note ? [`tfjs-wasm: failed (${tf.note})`, String(threads), 'n/a', 'n/a'] : [`tfjs-wasm ${tf.version} (threads reported: ${tf.threads})`, String(threads), tf.seconds, (100 * tf.acc).toFixed(2)]);
    console.error(rows.at(-2).join(' | '));
    console.error(rows.at(-1).join(' | '));
  }
  console.log(`${machine()}; ${new Date().toISOString().slice(0, 10)}; data ${dir}`);
  console.log(`One epoch, MLP 784-256-10 ReLU, Adam 1e-3, batch 128, ${N} images; seconds exclude data loading and the test pass.\n`);
  console.log(table(['run', 'threads', 'epoch s', 'test acc %'], rows));
  const p = await profileStep(d, data, threadsList.at(-1));
  const total = p.forward + p.backward + p.step;
  console.log(`\nOne descent step (FMA, ${threadsList.at(-1)} threads; medians of 30 steps, ms): forward+loss ${p.forward.toFixed(2)}, backward ${p.backward.toFixed(2)}, `
    + `Adam step ${p.step.toFixed(2)}; total ${total.toFixed(2)} (× 469 steps = ${(total * 469 / 1000).toFixed(2)} s). The same five GEMMs alone: ${p.gemm.toFixed(2)} ms `
    + `(${(100 * p.gemm / total).toFixed(0)}% of the step); outside the GEMMs ${(total - p.gemm).toFixed(2)} ms.`);
  d.dispose([...data.train.tensors, ...data.test.tensors]);
}

if (process.argv[2] === '--tfjs') {
  const [, , , dir, threads] = process.argv;
  const d = await import(await bundleEntry('ts/index.ts', join('build', 'bench', 'descent.train.js')));
  await d.init({ device: 'reference' });
  const data = await loadAll(d, dir);
  console.log(JSON.stringify(await tfjsEpoch(data.raw, Number(threads))));
}
