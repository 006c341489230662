// Reductions over the last dims of a strided view: one workgroup per output row, each of its 64
// threads folds the elements j ≡ thread (mod 64) in order, then a tree in workgroup memory
// combines the 64 partials. The order is fixed by the shapes alone, so results are deterministic.
// argmax/argmin keep (value, index) pairs: NaN wins, ties go to the lower index (Backend's rule).

import type { ReduceOp, View } from '../backend.js';
import type { DType } from '../../dtype.js';
import type { BufferOf } from './elementwise.js';
import { grid, ndWords, setExtra, sizeOf } from './meta.js';
import type { GpuQueue } from './queue.js';
import { HALVES, UNIFORMS, W_COUNT, W_STRIDE, bindingDecl, loader, offsets, withHelpers } from './wgsl.js';

const GROUP = 64;

function init(op: ReduceOp, t: 'f32' | 'i32'): string {
  const inf = t === 'f32' ? 'inf_()' : '2147483647';
  switch (op) {
    case 'sum': return t === 'f32' ? '0.0' : '0';
    case 'prod': return t === 'f32' ? '1.0' : '1';
    case 'max': case 'argmax': return t === 'f32' ? `-${inf}` : 'i32(-2147483647) - 1';
    case 'min': case 'argmin': return inf;
  }
}

/** WGSL fn combine(a, ia, b, ib) -> the pair kept (value in .v, index in .i). */
function combiner(op: ReduceOp, t: 'f32' | 'i32'): string {
  const nan = (x: string): string => (t === 'f32' ? `is_nan(${x})` : 'false');
  const head = `struct P { v: ${t}, i: u32 }
fn combine(a: ${t}, ia: u32, b: ${t}, ib: u32) -> P {`;
  switch (op) {
    case 'sum': return `${head} return P(a + b, 0u); }`;
    case 'prod': return `${head} return P(a * b, 0u); }`;
    case 'max': case 'min': {
      const cmp = op === 'max' ? '>' : '<';
      return `${head}
  if (${nan('a')}) { return P(a, 0u); }
  if (${nan('b')}) { return P(b, 0u); }
  return P(select(a, b, b ${cmp} a), 0u);
}`;
    }
    case 'argmax': case 'argmin': {
      const cmp = op === 'argmax' ? '>' : '<';
      return `${head}
  if (ib == 0xffffffffu) { return P(a, ia); }
  if (ia == 0xffffffffu) { return P(b, ib); }
  let better = (${nan('b')} && !${nan('a')}) || (!${nan('a')} && !${nan('b')} && b ${cmp} a);
  let same = (${nan('a')} && ${nan('b')}) || a == b;
  if (better || (same && ib < ia)) { return P(b, ib); }
  return P(a, ia);
}`;
    }
  }
}

function shader(op: ReduceOp, xd: DType, od: DType): string {
  const t = xd === 'i32' ? 'i32' : 'f32';
  const arg = op === 'argmax' || op === 'argmin';
  const result = arg ? 'select(i32(si[0]), 0, si[0] == 0xffffffffu)' : 'sv[0]';
  return UNIFORMS + withHelpers(`
${bindingDecl(1, 'x', xd, false)}
${loader('x', xd)}
${bindingDecl(2, 'y', od, true)}
${combiner(op, t)}
var<workgroup> sv: array<${t}, ${GROUP}>;
var<workgroup> si: array<u32, ${GROUP}>;
@compute @workgroup_size(${GROUP})
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let rows = m(${W_COUNT}u);
  let block = m(48u);
  for (var row = w.x; row < rows; row += m(${W_STRIDE}u)) {
    var acc = P(${init(op, t)}, 0xffffffffu);
    for (var j = l.x; j < block; j += ${GROUP}u) {
      ${offsets(1, 'row * block + j')}
      acc = combine(acc.v, acc.i, ld_x(o0), j);
    }
    sv[l.x] = acc.v;
    si[l.x] = acc.i;
    workgroupBarrier();
    for (var s = ${GROUP / 2}u; s > 0u; s = s >> 1u) {
      if (l.x < s) {
        let p = combine(sv[l.x], si[l.x], sv[l.x + s], si[l.x + s]);
        sv[l.x] = p.v;
        si[l.x] = p.i;
      }
      workgroupBarrier();
    }
    if (l.x == 0u) { y[m(49u) + row] = ${result}; }
    workgroupBarrier();
  }
}`, HALVES);
}

export function reduce(q: GpuQueue, buf: BufferOf, op: ReduceOp, x: View, nReduce: number, out: View): void {
  const rows = sizeOf(out.shape);
  if (rows === 0) return;
  const block = sizeOf(x.shape.slice(x.shape.length - nReduce));
  const [groups] = grid(rows, 1);
  const words = ndWords(x.shape, [x.strides], [x.offset], rows, groups);
  setExtra(words, 0, block);
  setExtra(words, 1, out.offset);
  const xd = x.storage.dtype;
  const od = out.storage.dtype;
  q.dispatch(q.pipeline(`reduce:${op}:${xd}:${od}`, () => shader(op, xd, od)), words, [buf(x), buf(out)], groups);
}
