// Newton–Schulz (the Backend capability; its definition is the composed iteration in
// ts/optim/newton-schulz.ts) on the GPU: the Frobenius norm, the scaling and every product stay on
// the device, so the iteration needs no readback. Built from this device's own primitives on
// scratch storages; GEMMs read transposes through strides, and no kernel writes a buffer it reads
// (WebGPU forbids that aliasing within one dispatch).

import type { Backend, NewtonSchulzSpec, Storage, View } from '../backend.js';
import { encode } from '../../dtype.js';

// (fields copied one by one: a Tensor's storage is a getter, which spreading would drop)
const T = (v: View): View => ({ storage: v.storage, offset: v.offset, shape: [v.shape[1], v.shape[0]], strides: [v.strides[1], v.strides[0]] });
/** A 0-d storage seen as `shape` (stride 0 everywhere). */
const spread = (s: Storage, shape: number[]): View => ({ storage: s, offset: 0, shape, strides: shape.map(() => 0) });

export function newtonSchulz(b: Backend, x: View, out: View, spec: NewtonSchulzSpec): void {
  const tall = x.shape[0] > x.shape[1];
  const X0 = tall ? T(x) : x; // r×n with r ≤ n
  const [r, n] = X0.shape;
  const scratch: Storage[] = [];
  const mat = (rows: number, cols: number): View => {
    const s = b.alloc('f32', rows * cols);
    scratch.push(s);
    return { storage: s, offset: 0, shape: [rows, cols], strides: [cols, 1] };
  };
  const scalar = (v?: number): View => {
    const s = mat(1, 1).storage;
    if (v !== undefined) b.write(s, encode('f32', [v]));
    return { storage: s, offset: 0, shape: [], strides: [] };
  };
  try {
    // X ← X0 · 1/(‖X0‖ + eps)   ('clamp': 1/max(‖X0‖, eps)), the factor a device scalar
    const sq = mat(r, n);
    b.binary('mul', X0, X0, sq);
    const [sumSq, nrm, den, factor] = [scalar(), scalar(), scalar(), scalar()];
    b.reduce('sum', { ...sq, shape: [r * n], strides: [1] }, 1, sumSq);
    b.unary('sqrt', sumSq, nrm);
    b.binary(spec.normalize === 'add' ? 'add' : 'maximum', nrm, scalar(spec.eps), den);
    b.unary('reciprocal', den, factor);
    let X = mat(r, n);
    let next = mat(r, n);
    b.binary('mul', X0, spread(factor.storage, [r, n]), X);
    const [ca, cb, cc] = spec.coefficients.map((c) => scalar(c).storage);
    const [A, AA, bA, cAA, B] = [mat(r, r), mat(r, r), mat(r, r), mat(r, r), mat(r, r)];
    const [aX, BX] = [mat(r, n), mat(r, n)];
    for (let s = 0; s < spec.steps; s++) {
      b.matmul(X, T(X), A); // A = X·Xᵀ
      b.matmul(A, A, AA);
      b.binary('mul', A, spread(cb, [r, r]), bA); // B = b·A + c·A²
      b.binary('mul', AA, spread(cc, [r, r]), cAA);
      b.binary('add', bA, cAA, B);
      b.binary('mul', X, spread(ca, [r, n]), aX); // X ← a·X + B·X
      b.matmul(B, X, BX);
      b.binary('add', aX, BX, next);
      [X, next] = [next, X];
    }
    b.copy(X, tall ? T(out) : out);
  } finally {
    for (const s of scratch) b.free(s);
  }
}
