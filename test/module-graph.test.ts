// The module graph of ts/: value imports form no cycle (type-only imports are erased and may).
// A cycle makes load order decide whether a binding exists yet; sumTo once tied elementwise,
// reduce and shape into one.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { expect, test } from 'vitest';

const root = join(__dirname, '..', 'ts');

/** Value imports of every module, as paths relative to ts/. */
function graph(): Map<string, string[]> {
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\\/g, '/'));
  const g = new Map<string, string[]>();
  for (const f of files) {
    const src = readFileSync(join(root, f), 'utf8');
    const deps = [...src.matchAll(/^(import|export)\s+([^'";]*?)\s*from\s+'(\.[^']+)'/gm)]
      .filter(([, , what]) => !/^type\b/.test(what) && !/^\{\s*(type\s+\w+(\s+as\s+\w+)?\s*,?\s*)+\}$/.test(what))
      .map(([, , , path]) => normalize(join(dirname(f), path)).replace(/\\/g, '/').replace(/\.js$/, '.ts'));
    g.set(f, deps);
  }
  return g;
}

/** One cycle through value imports, or null. */
function findCycle(g: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (v: string): string[] | null => {
    if (state.get(v) === 'done') return null;
    if (state.get(v) === 'open') return [...path.slice(path.indexOf(v)), v];
    state.set(v, 'open');
    path.push(v);
    for (const w of g.get(v) ?? []) {
      const c = g.has(w) ? visit(w) : null;
      if (c) return c;
    }
    path.pop();
    state.set(v, 'done');
    return null;
  };
  for (const v of g.keys()) {
    const c = visit(v);
    if (c) return c;
  }
  return null;
}

test('value imports among ts/ modules form no cycle', () => {
  expect(findCycle(graph())).toBeNull();
});

test('the cycle finder sees a cycle when there is one', () => {
  const g = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
  expect(findCycle(g)).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
});
