// gather and scatterAdd. Indices were validated by the op layer, so kernels trust them.
// scatterAdd gives each thread one line along `dim` (every other coordinate fixed) and adds that
// line's sources in index order: lines touch disjoint targets, so no atomics are needed and the
// result is deterministic, as Backend requires.

import type { View } from '../backend.js';
import type { BufferOf } from './elementwise.js';
import { grid, ndWords, setExtra, sizeOf } from './meta.js';
import type { GpuQueue } from './queue.js';
import { GRID_LOOP, HALVES, UNIFORMS, bindingDecl, loader, offsets, scalarType, storer, withHelpers } from './wgsl.js';
import type { DType } from '../../dtype.js';

const without = <T>(xs: readonly T[], i: number): T[] => xs.filter((_, k) => k !== i);

export function gather(q: GpuQueue, buf: BufferOf, x: View, dim: number, index: View, out: View): void {
  const n = sizeOf(out.shape);
  if (n === 0) return;
  const xd = x.storage.dtype;
  const od = out.storage.dtype;
  const wgsl = (): string => UNIFORMS + withHelpers(`
${bindingDecl(1, 'ix', 'i32', false)}
${bindingDecl(2, 'x', xd, false)}
${loader('x', xd)}
${bindingDecl(3, 'y', od, true)}
${storer('y', od)}
${GRID_LOOP}
    ${offsets(3)}
    st_y(o2, ld_x(o1 + u32(ix[o0]) * m(48u)));
  }
}`, HALVES);
  const [groups, threads] = grid(n);
  const xz = x.strides.map((s, d) => (d === dim ? 0 : s));
  const words = ndWords(out.shape, [index.strides, xz, out.strides], [index.offset, x.offset, out.offset], n, threads);
  setExtra(words, 0, x.strides[dim]);
  q.dispatch(q.pipeline(`gather:${xd}:${od}`, wgsl), words, [buf(index), buf(x), buf(out)], groups);
}

function scatterShader(dt: DType): string {
  const t = scalarType(dt);
  return UNIFORMS + withHelpers(`
${bindingDecl(1, 'ix', 'i32', false)}
${bindingDecl(2, 'src', dt, false)}
${loader('src', dt)}
@group(0) @binding(3) var<storage, read_write> tg: array<${t}>;
${GRID_LOOP}
    ${offsets(3)}
    for (var j = 0u; j < m(48u); j++) {
      let at = o2 + u32(ix[o0 + j * m(49u)]) * m(51u);
      tg[at] = tg[at] + ld_src(o1 + j * m(50u));
    }
  }
}`, HALVES);
}

export function scatterAdd(q: GpuQueue, buf: BufferOf, target: View, dim: number, index: View, src: View): void {
  const len = index.shape[dim];
  const lines = sizeOf(without(index.shape, dim));
  if (lines === 0 || len === 0) return;
  const dt = target.storage.dtype;
  const [groups, threads] = grid(lines);
  const strides = [index.strides, src.strides, target.strides].map((s) => without(s, dim));
  const words = ndWords(without(index.shape, dim), strides, [index.offset, src.offset, target.offset], lines, threads);
  [len, index.strides[dim], src.strides[dim], target.strides[dim]].forEach((v, i) => setExtra(words, i, v));
  q.dispatch(q.pipeline(`scatterAdd:${dt}`, () => scatterShader(dt)), words, [buf(index), buf(src), buf(target)], groups);
}
