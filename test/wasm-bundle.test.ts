// The bundling path: ts/index.ts bundled with the wasm inlined (scripts/bundle.mjs's plugin swaps
// binaries.ts for binaries.inline.ts) runs in a plain Node process, picks the plain-SIMD build
// without V8's relaxed-SIMD flag and the relaxed build with it, and reads no file at run time.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
// @ts-expect-error: plain ESM build script without type declarations
import { bundleEntry } from '../scripts/bundle.mjs';

/** Runs a tiny program against the bundle in a fresh Node process (a script file, not `-e`). */
function run(file: string, flags: string[]): { build: string; v: number[] } {
  const script = join(mkdtempSync(join(tmpdir(), 'descent-bundle-')), 'main.mjs');
  writeFileSync(script, `
    const d = await import(${JSON.stringify(file)});
    await d.init({ device: 'wasm' });
    const t = d.exp(d.tensor([0, 1, -1]));
    console.log(JSON.stringify({ build: d.backendInfo().build, v: Array.from(t.dataSync()) }));
  `);
  return JSON.parse(execFileSync(process.execPath, [...flags, script]).toString());
}

test('the inlined bundle loads in plain Node and chooses its build by feature detection', async () => {
  const file: string = await bundleEntry('ts/index.ts', join('build', 'test', 'descent.node.js'));
  const text = readFileSync(file, 'utf8');
  // the wasm bytes are inlined, not read: binaries.ts (which reads build/descent.<build>.wasm) is
  // swapped out (save/load and the IDX reader do read files, through getBuiltinModule)
  expect(text).not.toMatch(/descent\.\$\{build\}\.wasm|node:fs/);
  const plain = run(file, []);
  const relaxed = run(file, ['--experimental-wasm-relaxed-simd']);
  expect(plain.build).toBe('simd');
  expect(relaxed.build).toBe('relaxed');
  expect(plain.v).toEqual(relaxed.v);
  expect(plain.v[0]).toBe(1);
  expect(Math.abs(plain.v[1] - Math.E)).toBeLessThan(1e-6);
});
