// onnxruntime-web (wasm EP) GEMM timings for bench/gemm.bench.mjs, run in a child process because
// ort.env.wasm.numThreads only takes effect before the first session of a process.
// Usage: node bench/gemm-ort.mjs THREADS 'JSON [[name, m, n, k, transA, transB, runs], ...]'
// Prints one JSON line: { name: GFLOP/s }. The model (one MatMul node, or Gemm with transA/transB
// for the transposed cases) is a hand-encoded ONNX protobuf built in memory: no files, no network.
import * as ort from 'onnxruntime-web';
import { measure } from './util.mjs';

const varint = (n) => { const out = []; do { let b = n % 128; n = Math.floor(n / 128); if (n > 0) b |= 128; out.push(b); } while (n > 0); return out; };
const key = (field, wire) => varint(field * 8 + wire);
const int = (field, n) => [...key(field, 0), ...varint(n)];
const bytes = (field, b) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field, s) => bytes(field, [...new TextEncoder().encode(s)]);

/** ValueInfoProto: name, TypeProto{ tensor_type{ elem_type FLOAT, shape{ dim{ dim_value } } } }. */
function valueInfo(name, dims) {
  const shape = dims.flatMap((d) => bytes(1, int(1, d)));
  return [...str(1, name), ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, shape)]))];
}

/** ModelProto (ir 8, opset 13) with one node Y = op(A)·op(B). */
export function matmulModel(m, n, k, transA, transB) {
  const gemm = transA || transB;
  const attr = (name, v) => bytes(5, [...str(1, name), ...int(3, v ? 1 : 0), ...int(20, 2)]); // type INT
  const node = [...str(1, 'A'), ...str(1, 'B'), ...str(2, 'Y'), ...str(3, 'mm'), ...str(4, gemm ? 'Gemm' : 'MatMul'),
    ...(gemm ? [...attr('transA', transA), ...attr('transB', transB)] : [])];
  const graph = [...bytes(1, node), ...str(2, 'g'),
    ...bytes(11, valueInfo('A', transA ? [k, m] : [m, k])), ...bytes(11, valueInfo('B', transB ? [n, k] : [k, n])),
    ...bytes(12, valueInfo('Y', [m, n]))];
  return new Uint8Array([...int(1, 8), ...bytes(8, [...str(1, ''), ...int(2, 13)]), ...bytes(7, graph)]);
}

const rand = (n) => { const x = new Float32Array(n); for (let i = 0; i < n; i++) x[i] = Math.random() - 0.5; return x; };

if (process.argv[1]?.endsWith('gemm-ort.mjs')) {
  ort.env.wasm.numThreads = Number(process.argv[2]);
  const out = {};
  for (const [name, m, n, k, transA, transB, runs] of JSON.parse(process.argv[3])) {
    const s = await ort.InferenceSession.create(matmulModel(m, n, k, transA, transB), { executionProviders: ['wasm'] });
    const A = new ort.Tensor('float32', rand(m * k), transA ? [k, m] : [m, k]);
    const B = new ort.Tensor('float32', rand(k * n), transB ? [n, k] : [k, n]);
    const r = await measure(async () => { (await s.run({ A, B })).Y.dispose?.(); }, { async: true, warmup: 3, runs, minSampleMs: 10 });
    out[name] = (2 * m * n * k) / (r.ms * 1e6);
    await s.release();
  }
  console.log(JSON.stringify(out));
}
