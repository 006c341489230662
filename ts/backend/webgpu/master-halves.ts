// The joinMaster / splitMaster capabilities in WGSL (contract: ts/optim/master-weights.ts, whose
// host functions they replace bit for bit): an f32 master is a bf16 parameter's bits in the high
// half plus a sign-extended 16-bit remainder. Integer arithmetic on bit patterns only, so NaN
// payloads and subnormals pass untouched. Halves are packed two per u32 word: split runs one
// thread per word, so no two threads share a word and no atomics are needed.

import type { View } from '../backend.js';
import type { BufferOf } from './elementwise.js';
import { grid, sizeOf } from './meta.js';
import type { GpuQueue } from './queue.js';
import { GRID_LOOP, UNIFORMS } from './wgsl.js';

const JOIN = /* wgsl */ `${UNIFORMS}
@group(0) @binding(1) var<storage, read> param: array<u32>;
@group(0) @binding(2) var<storage, read> rest: array<u32>;
@group(0) @binding(3) var<storage, read_write> master: array<u32>;
${GRID_LOOP}
    let e = m(44u) + i;
    let hi = (param[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu;
    let lo = bitcast<i32>(rest[m(45u) + (i >> 1u)] << (16u - (i & 1u) * 16u)) >> 16u; // sign-extended
    master[m(46u) + i] = (hi << 16u) + bitcast<u32>(lo);
  }
}`;

const SPLIT = /* wgsl */ `${UNIFORMS}
@group(0) @binding(1) var<storage, read> master: array<u32>;
@group(0) @binding(2) var<storage, read_write> param: array<u32>;
@group(0) @binding(3) var<storage, read_write> rest: array<u32>;
${GRID_LOOP}
    var his = 0u;
    var los = 0u;
    for (var k = 0u; k < 2u && 2u * i + k < m(48u); k++) {
      let b = master[m(44u) + 2u * i + k];
      let nan = (b & 0x7fffffffu) > 0x7f800000u;
      // + 0x8000 carries into the high half exactly when the low half is ≥ 0x8000 (a NaN is kept quiet instead)
      his |= (select((b + 0x8000u) >> 16u, (b | 0x7fc00000u) >> 16u, nan)) << (16u * k);
      los |= select(b & 0xffffu, 0u, nan) << (16u * k);
    }
    param[(m(45u) >> 1u) + i] = his;
    rest[m(46u) + i] = los;
  }
}`;

/** Uniform words for `count` threads and the three operands' element offsets. */
function words(count: number, offsets: number[]): { w: Uint32Array; groups: number } {
  const [groups, threads] = grid(count);
  const w = new Uint32Array(64);
  w[0] = count;
  w[2] = threads;
  offsets.forEach((o, k) => { w[44 + k] = o; });
  return { w, groups };
}

/** master (f32) ← param's bf16 bits joined with remainder's halves. */
export function joinMaster(q: GpuQueue, buf: BufferOf, param: View, remainder: View, master: View): void {
  const n = sizeOf(param.shape);
  if (n === 0) return;
  const { w, groups } = words(n, [param.offset, remainder.offset, master.offset]);
  q.dispatch(q.pipeline('joinMaster', () => JOIN), w, [buf(param), buf(remainder), buf(master)], groups);
}

/** param (bf16, even offset; the high half of an odd count's last word is written 0) and remainder ← master's halves. */
export function splitMaster(q: GpuQueue, buf: BufferOf, master: View, param: View, remainder: View): void {
  const n = sizeOf(master.shape);
  if (n === 0) return;
  const { w, groups } = words(Math.ceil(n / 2), [master.offset, param.offset, remainder.offset]);
  w[48] = n;
  q.dispatch(q.pipeline('splitMaster', () => SPLIT), w, [buf(master), buf(param), buf(remainder)], groups);
}
