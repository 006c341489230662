// The everyday ops of issue 8 on the wasm device against tfjs-backend-wasm and plain JS, same
// process, single thread, same f32 inputs:
//   descent      — d.topk / d.sort / d.cumsum / d.cumprod / d.einsum / d.oneHot from the bundle,
//                  result disposed (allocation, host read and write-back included)
//   tfjs-wasm    — @tensorflow/tfjs-backend-wasm 4.22: tf.topk, tf.cumsum, tf.cumprod, tf.oneHot, and
//                  tf.matMul for the einsum row (its wasm backend has no Einsum kernel); no sort:
//                  topk with k = n is its sort. Results disposed, never read
//   plain JS     — Float32Array.prototype.sort per row / a running-sum loop (no indices, no grad)
// Median of 9 samples after 3 warm-up calls (each sample ≥ 25 ms of repeated calls).
import { machine, measure, ratio, table } from './util.mjs';

async function load() {
  const d = await import(new URL('../build/descent.node.js', import.meta.url).href);
  await d.init({ device: 'wasm' });
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  return { d, tf };
}

const time = async (fn) => (await measure(fn)).ms;

export default async function run() {
  const { d, tf } = await load();
  console.log(`${machine()}; descent wasm build '${d.backendInfo().build}', 1 thread; tfjs-backend-wasm ${tf.version_core}`);
  console.log('f32; median of 9 samples after 3 warm-up calls; results disposed.\n');
  const rows = [];
  const add = async (op, shape, ours, theirs, js) => {
    const [a, b, c] = [await time(ours), theirs ? await time(theirs) : NaN, js ? await time(js) : NaN];
    rows.push([op, `[${shape.join(', ')}]`, a, b, ratio(b, a), c, ratio(c, a)]);
  };
  for (const [rowsN, n] of [[256, 256], [16, 65536]]) {
    const data = Float32Array.from({ length: rowsN * n }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const x = d.tensor(data, { shape: [rowsN, n] });
    const t = tf.tensor2d(data, [rowsN, n]);
    const sortJs = () => { for (let r = 0; r < rowsN; r++) data.slice(r * n, (r + 1) * n).sort(); };
    const scanJs = () => { const o = new Float32Array(data.length); for (let r = 0; r < data.length; r += n) { let s = 0; for (let i = r; i < r + n; i++) o[i] = s += data[i]; } };
    const free = (r) => { r.values.dispose(); r.indices.dispose(); };
    await add('sort (k = n)', [rowsN, n], () => free(d.sort(x, 1)), () => { const r = tf.topk(t, n); r.values.dispose(); r.indices.dispose(); }, sortJs);
    await add('topk k = 8', [rowsN, n], () => free(d.topk(x, 8)), () => { const r = tf.topk(t, 8); r.values.dispose(); r.indices.dispose(); }, null);
    await add('cumsum dim 1', [rowsN, n], () => d.cumsum(x, 1).dispose(), () => tf.cumsum(t, 1).dispose(), scanJs);
    await add('cumprod dim 1', [rowsN, n], () => d.cumprod(x, 1).dispose(), () => tf.cumprod(t, 1).dispose(), null);
    x.dispose();
    t.dispose();
  }
  const a = d.randn([64, 128, 64]);
  const b = d.randn([64, 64, 96]);
  const [ta, tb] = [tf.randomNormal([64, 128, 64]), tf.randomNormal([64, 64, 96])];
  await add("einsum 'bij,bjk->bik'", [64, 128, 64, 96], () => d.einsum('bij,bjk->bik', a, b).dispose(), () => tf.matMul(ta, tb).dispose(), null);
  const labels = d.randint(0, 1000, [4096]);
  const tl = tf.tensor1d(Int32Array.from(labels.dataSync()), 'int32');
  await add('oneHot 1000 classes', [4096], () => d.oneHot(labels, 1000).dispose(), () => tf.oneHot(tl, 1000).dispose(), null);
  console.log(table(['op', 'shape', 'descent ms', 'tfjs-wasm ms', 'tfjs/descent', 'plain JS ms', 'JS/descent'], rows));
}
