// The benchmarks are not run in CI (speed lives in `npm run bench`), but each must at least load:
// every name a bench imports from the shared harness exists there, and median is exact.

import { readFileSync, readdirSync } from 'node:fs';
import { expect, test } from 'vitest';
// @ts-expect-error: plain ESM helper without types
import * as util from '../bench/util.mjs';

const dir = new URL('../bench/', import.meta.url);
const benches = readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'util.mjs');

test.each(benches)('%s imports only names the harness exports', (file) => {
  const src = readFileSync(new URL(file, dir), 'utf8');
  const names = [...src.matchAll(/import\s*\{([^}]*)\}\s*from\s*'\.\/util\.mjs'/g)]
    .flatMap((m) => m[1].split(',').map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean));
  for (const name of names) expect(Object.keys(util), `${file} imports ${name}`).toContain(name);
});

test('median of odd and even sample counts, unsorted input left as it was', () => {
  const xs = [5, 1, 3];
  expect(util.median(xs)).toBe(3);
  expect(xs).toEqual([5, 1, 3]);
  expect(util.median([4, 1, 3, 2])).toBe(2.5);
});
