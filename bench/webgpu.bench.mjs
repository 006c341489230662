// The webgpu device beside wasm and TensorFlow.js 4.22's webgpu backend (on the same adapter), in
// one run: GEMM (square and MLP shapes), softmax-cross-entropy forward+backward, one Adam step,
// Newton–Schulz (5 steps, Muon's zeropowerViaNewtonSchulz) and one training epoch of the MLP
// 784-256-10 (Adam, batch 128) over Fashion-MNIST with the data on the device.
//   npm run bench -- webgpu [hardware|software|any] [--small|--full]
// Adapter: default any (hardware when present, else the software one; its name is printed above
// the table). Sizes: --full (GEMM 1024² and 4096², Adam over 10M parameters, ...) by default on a
// hardware adapter, --small (proof that everything runs) on a software one, which runs shaders on
// the CPU. BENCH_TRAIN_IMAGES=N trains on the first N images (default 60000 on --full, 2000 on
// --small). GPU times include waiting for the result: each timed call ends with `await` on a
// one-element read of its output. wasm: f32, the build and threads a plain init() picks. Median of
// the samples after warm-up.
import { join } from 'node:path';
import { bundleSource, fmt, machine, measure, ratio, table } from './util.mjs';
import { tfjsOnWebgpu } from './tfjs-webgpu.mjs';

// the library bundle (scripts/gpu-bench.mjs makes it ahead for the GPU machine)
export const ENTRY = "export * from './ts/index.ts';";
export const ENTRY_FILE = join('build', 'bench', 'webgpu-entry.js');
const NS = [3.4445, -4.775, 2.0315]; // Muon's quintic Newton–Schulz coefficients

async function load(adapter) {
  const file = await bundleSource(ENTRY, ENTRY_FILE);
  const d = await import(file);
  await d.init({ device: 'webgpu', adapter });
  return d;
}

/** ms per call of descent on `device`: each call ends with a one-element read of its result. */
async function timeOn(d, device, c, opts) {
  const args = d.tidy(() => c.inputs(device));
  const r = await measure(async () => {
    const out = d.tidy(() => c.run(d, args));
    const one = out.reshape([-1]).slice(0, 0, 1);
    await one.data();
    one.dispose();
    if (!args.includes(out)) d.dispose(out);
  }, { async: true, ...opts });
  d.dispose(args);
  return r.ms;
}

/** ms per call of the TensorFlow.js twin of a case (same shapes), ending the same way. */
async function timeTf(tf, c, opts) {
  const args = tf.tidy(() => c.tf.inputs(tf));
  const r = await measure(async () => {
    const out = tf.tidy(() => c.tf.run(tf, args));
    const one = tf.slice(tf.reshape(out, [-1]), 0, 1);
    await one.data();
    tf.dispose([one, ...(args.includes(out) ? [] : [out])]);
  }, { async: true, ...opts });
  tf.dispose(args);
  return r.ms;
}

function cases(d, small) {
  const f = (device) => ({ device, dtype: 'f32' });
  const gemm = (m, k, n) => ({
    name: `GEMM ${m}×${k}·${k}×${n}`, flops: 2 * m * k * n,
    inputs: (dev) => [d.randn([m, k], f(dev)), d.randn([k, n], f(dev))],
    run: (d_, [a, b]) => d_.matmul(a, b),
    tf: { inputs: (tf) => [tf.randomNormal([m, k]), tf.randomNormal([k, n])], run: (tf, [a, b]) => tf.matMul(a, b) },
  });
  // tfjs-core registers no gradients in Node: its backward is written out, (softmax − onehot) / rows.
  const xent = (rows, cols) => ({
    name: `softmax-CE fwd+bwd ${rows}×${cols}`, flops: 0,
    inputs: (dev) => [d.randn([rows, cols], f(dev)).requiresGrad_(), d.randint(0, cols, [rows], { device: dev })],
    run: (d_, [x, y]) => { d_.nn.functional.crossEntropy(x, y).backward(); const g = x.grad; x.grad = null; return g; },
    tf: {
      inputs: (tf) => [tf.randomNormal([rows, cols]), tf.oneHot(tf.randomUniform([rows], 0, cols, 'int32'), cols)],
      run: (tf, [x, oh]) => { const ls = tf.logSoftmax(x); tf.neg(tf.mean(tf.sum(tf.mul(ls, oh), 1))); return tf.div(tf.sub(tf.exp(ls), oh), rows); },
    },
  });
  const adam = (n) => {
    let opt = null, tfOpt = null;
    return {
      name: `Adam step ${(n / 1e6).toFixed(1)}M params`, flops: 0,
      inputs: (dev) => { const p = d.randn([n], f(dev)).requiresGrad_(); p.grad = d.randn([n], f(dev)); opt = new d.optim.Adam([p], { lr: 1e-3 }); return [p, p.grad]; },
      run: (_, [p]) => { opt.step(); return p; },
      tf: {
        inputs: (tf) => { tfOpt = tf.train.adam(1e-3); return [tf.variable(tf.randomNormal([n]), true, 'p'), tf.randomNormal([n])]; },
        run: (_, [p, g]) => { tfOpt.applyGradients({ p: g }); return p; },
      },
    };
  };
  const ns = (m, n) => ({
    name: `Newton–Schulz 5 steps ${m}×${n}`, flops: 0,
    inputs: (dev) => [d.randn([m, n], f(dev))],
    run: (d_, [g]) => d_.optim.zeropowerViaNewtonSchulz(g, { steps: 5 }),
    tf: {
      inputs: (tf) => [tf.randomNormal([m, n])],
      run: (tf, [g]) => {
        let x = tf.div(g, tf.add(tf.norm(g), 1e-7));
        if (m > n) x = tf.transpose(x);
        for (let s = 0; s < 5; s++) {
          const A = tf.matMul(x, x, false, true);
          x = tf.add(tf.mul(x, NS[0]), tf.matMul(tf.add(tf.mul(A, NS[1]), tf.mul(tf.matMul(A, A), NS[2])), x));
        }
        return m > n ? tf.transpose(x) : x;
      },
    },
  });
  return small
    ? [gemm(256, 256, 256), gemm(512, 512, 512), gemm(128, 784, 256), gemm(128, 256, 10), xent(512, 1000), adam(1 << 20), ns(256, 256)]
    : [gemm(1024, 1024, 1024), gemm(4096, 4096, 4096), gemm(128, 784, 256), gemm(128, 256, 10), gemm(128, 256, 784),
      xent(4096, 1000), adam(10 * (1 << 20)), ns(1024, 1024), ns(768, 3072)];
}

/** One epoch of the MLP on `device` with the images there; seconds, and the last batch's loss. */
async function descentEpoch(d, [xs, ys], device, mlp) {
  d.manualSeed(0);
  const X = d.tensor(xs.values, { shape: xs.shape, device }), Y = d.tensor(ys.values, { shape: ys.shape, dtype: 'i32', device });
  const model = mlp(d); // made on the default device (webgpu): once read, its values move synchronously
  await Promise.all(model.parameters().map((p) => p.data()));
  model.to(device);
  const opt = new d.optim.Adam(model.parameters(), { lr: 1e-3 });
  const n = X.shape[0];
  const perm = d.randperm(n, { device: 'wasm' }).dataSync();
  const t0 = performance.now();
  let loss = null;
  for (let i = 0; i < n; i += 128) {
    loss?.dispose();
    loss = d.tidy(() => {
      const idx = d.tensor(Int32Array.from(perm.subarray(i, i + 128)), { dtype: 'i32', device });
      opt.zeroGrad();
      const l = d.nn.functional.crossEntropy(model.call(X.indexSelect(0, idx)), Y.indexSelect(0, idx));
      l.backward();
      opt.step();
      return l;
    });
  }
  const last = (await loss.data())[0];
  const seconds = (performance.now() - t0) / 1000;
  d.dispose([loss, X, Y]);
  model.dispose();
  return { seconds, last };
}

/** Epoch seconds: descent on webgpu and on wasm, TensorFlow.js webgpu (training images only). */
async function epochs(d, tf, small) {
  if (small && process.env.BENCH_TRAIN_IMAGES === undefined) process.env.BENCH_TRAIN_IMAGES = '2000';
  const train = await import('./train.bench.mjs'); // reads BENCH_TRAIN_IMAGES when loaded
  const dir = train.dataDir();
  if (!dir) return 'MLP epoch: Fashion-MNIST not found (FASHION_MNIST_DIR, ../shared/data/fashion-mnist); skipped';
  const images = await d.data.readLabeledImages(`${dir}/train-images-idx3-ubyte.gz`, `${dir}/train-labels-idx1-ubyte.gz`, 10);
  const n = Number(process.env.BENCH_TRAIN_IMAGES ?? 60000);
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const norm = d.data.pixelStats(images.images, rows);
  const set = d.data.toDataset(images, rows, norm);
  const host = await Promise.all(set.tensors.map(async (t) => ({ values: await t.data(), shape: t.shape })));
  d.dispose(set.tensors);
  const out = [];
  for (const device of ['webgpu', 'wasm']) {
    const r = await descentEpoch(d, host, device, train.mlp);
    out.push([`descent ${device}`, r.seconds, fmt(r.last)]);
  }
  if (tf) {
    const r = await train.tfjsEpoch({ train: images, test: null, norm }, 1, 'webgpu');
    out.push(['TensorFlow.js webgpu (backward and Adam in tf ops)', r.seconds, '']);
  }
  return `One epoch, MLP 784-256-10 ReLU, Adam 1e-3, batch 128, ${n} images on the device (shuffled):\n\n`
    + table(['run', 'epoch s', 'last batch loss'], out.map((r) => r.map((x) => fmt(x))));
}

export default async function run(args) {
  const adapter = args.find((a) => !a.startsWith('--')) ?? 'any';
  const d = await load(adapter);
  const info = d.backendInfo();
  const small = args.includes('--small') || (!args.includes('--full') && info.webgpu.software);
  const { tf, why } = await tfjsOnWebgpu(info.webgpu.software);
  console.log(machine());
  console.log(`webgpu adapter: ${info.webgpu.adapter} (${info.webgpu.software ? 'software' : 'hardware'}, ${info.webgpu.featureLevel}, shader-f16 ${info.webgpu.shaderF16})`);
  console.log(`wasm: ${info.build} build, ${info.threads} threads; TensorFlow.js ${tf ? `${tf.version_core} webgpu` : `unavailable (${why})`}; GPU timings end with a 1-element readback\n`);
  const rows = [];
  for (const c of cases(d, small)) {
    const opts = { warmup: 2, runs: 5, minSampleMs: 20 };
    const guard = (p) => p.catch((e) => `n/a (${e.code ?? e.message.split('\n')[0]})`);
    const gpu = await guard(timeOn(d, 'webgpu', c, opts));
    const tfjs = tf ? await guard(timeTf(tf, c, opts)) : 'n/a';
    const wasm = await timeOn(d, 'wasm', c, opts);
    const gflops = (ms) => (c.flops && typeof ms === 'number' ? c.flops / ms / 1e6 : '');
    rows.push([c.name, gpu, tfjs, wasm, gflops(gpu), gflops(tfjs), gflops(wasm),
      typeof gpu === 'number' && typeof tfjs === 'number' ? ratio(tfjs, gpu) : 'n/a', typeof gpu === 'number' ? ratio(wasm, gpu) : 'n/a']);
  }
  console.log(table(['case', 'webgpu ms', 'tfjs-webgpu ms', 'wasm ms', 'webgpu GFLOP/s', 'tfjs-webgpu GFLOP/s', 'wasm GFLOP/s', 'vs tfjs', 'vs wasm'],
    rows.map((r) => r.map((x) => (x === '' ? '' : fmt(x))))));
  console.log(`\n${await epochs(d, tf, small)}`);
}
