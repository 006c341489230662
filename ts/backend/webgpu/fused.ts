// The fusedUpdate capability in WGSL: one dispatch per parameter updates p and its state in place,
// following the contracts of assembly/f32-{sgd,adam,lion,adagrad,rmsprop}/scalar.ts (same
// operations in the same order; scalars and flags as the host folded them). WGSL compilers may
// contract a·b + c into an FMA, so results can differ from wasm in the last bits.

import type { FusedRecord, FusedUpdateKind, View } from '../backend.js';
import type { BufferOf } from './elementwise.js';
import { grid, setExtra, sizeOf } from './meta.js';
import type { GpuQueue } from './queue.js';
import { GRID_LOOP, HALVES, UNIFORMS, withHelpers } from './wgsl.js';

// Flag bits of the contracts (assembly/f32-*/_row.ts, assembly/_lib/optim-row.ts).
const MAXIMIZE = 2;
const OWN_BITS = { sgd: { NESTEROV: 1, FIRST: 4 }, adam: { AMSGRAD: 1 }, rmsprop: { CENTERED: 1 } };

/** Scalars arrive in words 52.. as f32 (in the order the kernel signature lists them); flags in 51. */
const s = (i: number): string => `mf(${52 + i}u)`;
const flag = (bit: number): string => `((m(51u) & ${bit}u) != 0u)`;
const gradIn = (wd: string): string => `select(gr[og + i], -gr[og + i], ${flag(MAXIMIZE)}) + ${wd} * pi`;

const BODY: Record<FusedUpdateKind, { states: number; code: string }> = {
  sgd: { states: 1, code: `
    let pi = p[op + i];
    var gi = ${gradIn(s(3))};
    let mom = ${s(1)};
    if (mom != 0.0) {
      let b = select(s0[o0 + i] * mom + gi * (1.0 - ${s(2)}), gi, ${flag(OWN_BITS.sgd.FIRST)});
      s0[o0 + i] = b;
      gi = select(b, gi + mom * b, ${flag(OWN_BITS.sgd.NESTEROV)});
    }
    p[op + i] = pi - ${s(0)} * gi;` },
  adam: { states: 3, code: `
    let pi = p[op + i] * ${s(5)};
    let gi = ${gradIn(s(6))};
    let mi = s0[o0 + i] * ${s(0)} + gi * (1.0 - ${s(0)});
    let vi = s1[o1 + i] * ${s(1)} + (gi * gi) * (1.0 - ${s(1)});
    s0[o0 + i] = mi;
    s1[o1 + i] = vi;
    var sv = vi;
    if (${flag(OWN_BITS.adam.AMSGRAD)}) {
      sv = select(vi, s2[o2 + i], s2[o2 + i] > vi || is_nan(s2[o2 + i]));
      s2[o2 + i] = sv;
    }
    p[op + i] = pi - ${s(3)} * (mi / (sqrt(sv) / ${s(4)} + ${s(2)}));` },
  lion: { states: 1, code: `
    let gi = gr[og + i];
    let mi = s0[o0 + i];
    let c = mi * ${s(1)} + gi * (1.0 - ${s(1)});
    let sg = select(select(0.0, select(-1.0, 1.0, c > 0.0), c != 0.0), c, is_nan(c));
    p[op + i] = p[op + i] * ${s(3)} - ${s(0)} * sg;
    s0[o0 + i] = mi * ${s(2)} + gi * (1.0 - ${s(2)});` },
  adagrad: { states: 1, code: `
    let pi = p[op + i];
    let gi = ${gradIn(s(2))};
    let sm = s0[o0 + i] + gi * gi;
    s0[o0 + i] = sm;
    p[op + i] = pi - ${s(0)} * (gi / (sqrt(sm) + ${s(1)}));` },
  rmsprop: { states: 3, code: `
    let pi = p[op + i];
    let gi = ${gradIn(s(3))};
    let al = ${s(1)};
    let vi = s0[o0 + i] * al + (gi * gi) * (1.0 - al);
    s0[o0 + i] = vi;
    var avg = sqrt(vi) + ${s(2)};
    if (${flag(OWN_BITS.rmsprop.CENTERED)}) {
      let ga = s1[o1 + i] * al + gi * (1.0 - al);
      s1[o1 + i] = ga;
      avg = sqrt(vi - ga * ga) + ${s(2)};
    }
    if (${s(4)} > 0.0) {
      let b = s2[o2 + i] * ${s(4)} + gi / avg;
      s2[o2 + i] = b;
      p[op + i] = pi - ${s(0)} * b;
    } else {
      p[op + i] = pi - ${s(0)} * (gi / avg);
    }` },
};

function shader(kind: FusedUpdateKind): string {
  const { states, code } = BODY[kind];
  const decl = (b: number, name: string, mode: string): string => `@group(0) @binding(${b}) var<storage, ${mode}> ${name}: array<f32>;`;
  const st = Array.from({ length: states }, (_, k) => decl(3 + k, `s${k}`, 'read_write')).join('\n');
  const offs = Array.from({ length: states }, (_, k) => `let o${k} = m(${46 + k}u);`).join(' ');
  // every state binding is referenced, so the 'auto' layout keeps all of them
  const touch = Array.from({ length: states }, (_, k) => `_ = &s${k};`).join(' ');
  return UNIFORMS + withHelpers(`
${decl(1, 'p', 'read_write')}
${decl(2, 'gr', 'read')}
${st}
${GRID_LOOP}
    let op = m(44u); let og = m(45u); ${offs}
    ${touch}
    ${code}
  }
}`, HALVES);
}

export function fusedUpdate(q: GpuQueue, buf: BufferOf, dummy: (slot: number) => GPUBuffer, kind: FusedUpdateKind,
  records: readonly FusedRecord[], scalars: readonly number[], flags: number): void {
  const pipe = q.pipeline(`fused:${kind}`, () => shader(kind));
  for (const r of records) {
    const n = sizeOf(r.param.shape);
    if (n === 0) continue;
    const [groups, threads] = grid(n);
    const words = new Uint32Array(64);
    words[0] = n;
    words[2] = threads;
    const states = r.state.slice(0, BODY[kind].states);
    [r.param, r.grad, ...states].forEach((v, k) => { words[44 + k] = v?.offset ?? 0; });
    setExtra(words, 3, flags);
    scalars.forEach((v, i) => setExtra(words, 4 + i, v, 'f32'));
    const bound = states.map((v: View | null, k) => (v === null ? dummy(k) : buf(v)));
    q.dispatch(pipe, words, [buf(r.param), buf(r.grad), ...bound], groups);
  }
}
