// init(): threads, deterministic and build options; the pool also starts from `node -e` entries.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import * as d from '../ts/index.js';

// First in this file: nothing has called init() yet.
test('the wasm device is ready on import: ops run there without init()', () => {
  const t = d.ones([2, 2]);
  expect(t.device).toBe('wasm');
  expect(d.backendInfo()).not.toBeNull();
  t.dispose();
});

test('where wasm cannot load, the import succeeds, ops name the cause, and the reference device still works', () => {
  const bundle = fileURLToPath(new URL('../build/descent.node.js', import.meta.url));
  const out = execFileSync(process.execPath, ['--input-type=module', '-e',
    `delete globalThis.WebAssembly; const d = await import(${JSON.stringify(bundle)});
     try { d.ones([2]); } catch (e) { console.log(e.code, e.message); }
     await d.init({ device: 'reference' }); console.log(d.ones([2]).sum().item(), d.ones([1]).device);`],
  { encoding: 'utf8', timeout: 30000 });
  expect(out).toMatch(/^NOT_INITIALIZED no default device: the wasm device failed to load when descent was imported \(wasm: .*WebAssembly/);
  expect(out).toMatch(/use `await init\(\{ device: "reference" \}\)`\n2 reference\n$/);
});

test('a DEVICE_MISMATCH names the cause when init({ device }) switched devices between two tensors', async () => {
  const early = d.ones([2]);
  await d.init({ device: 'reference' });
  const late = d.ones([2]);
  expect(() => early.add(late)).toThrow(new RegExp(`add: all tensors must be on one device, got 'wasm' and 'reference' ` +
    `\\(tensor #${early.id} was made on 'wasm' before init\\(\\{ device: 'reference' \\}\\) changed the default device\\)`));
  await d.init();
  const moved = d.ones([2], { device: 'reference' });  // asked for: no cause to name
  expect(() => moved.add(d.ones([2]))).toThrow(/got 'reference' and 'wasm'; move one with \.to\(\)$/);
  d.dispose([early, late, moved]);
});

test('threads and deterministic options reach the runtime and backendInfo()', async () => {
  await d.init({ threads: 1 });
  expect(d.backendInfo()).toMatchObject({ threads: 1, deterministic: true });
  await d.init({ threads: 2 });
  expect(d.backendInfo()!.threads).toBe(2);
  await expect(d.init({ threads: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  await expect(d.init({ deterministic: 'yes' as unknown as boolean })).rejects.toThrow(/deterministic must be a boolean/);
});

test('deterministic: true gives the same bits on both builds; false may use FMA and stays accurate', async () => {
  const run = () => d.tidy(() => {
    d.manualSeed(5);
    const a = d.randn([67, 129]);
    const b = d.randn([129, 33]);
    return Array.from(a.matmul(b).dataSync());
  });
  await d.init({ build: 'simd', deterministic: true });
  const simd = run();
  await d.init({ build: 'relaxed', deterministic: true });
  expect(d.backendInfo()!.build).toBe('relaxed');
  expect(run()).toEqual(simd);
  await d.init({ deterministic: false });
  expect(d.backendInfo()!.deterministic).toBe(false);
  const fma = run();
  fma.forEach((v, i) => expect(Math.abs(v - simd[i])).toBeLessThan(1e-3 * (1 + Math.abs(simd[i]))));
  await d.init({ deterministic: true });
});

test('the thread pool starts from `node --input-type=module -e` (workers do not inherit --input-type)', () => {
  const bundle = fileURLToPath(new URL('../build/descent.node.js', import.meta.url));
  const out = execFileSync(process.execPath, ['--input-type=module', '-e',
    `import * as d from ${JSON.stringify(bundle)}; await d.init({ threads: 2 });
     const x = d.ones([256, 256]); console.log(d.backendInfo().threads, x.matmul(x).sum().item());`],
  { encoding: 'utf8', timeout: 30000 });
  expect(out.trim()).toBe(`2 ${256 * 256 * 256}`);
});

test('concurrent init calls apply in call order (the last one wins)', async () => {
  await Promise.all([d.init({ build: 'relaxed', threads: 2 }), d.init({ build: 'simd', threads: 1 })]);
  expect(d.backendInfo()).toMatchObject({ build: 'simd', threads: 1 });
  await Promise.all([d.init({ build: 'simd' }), d.init({ build: 'relaxed' })]);
  expect(d.backendInfo()!.build).toBe('relaxed');
  await expect(Promise.all([d.init({ threads: -1 }), d.init()])).rejects.toMatchObject({ code: 'BAD_OPTION' });
  await d.init(); // a rejected call does not block the queue
  expect(d.backendInfo()!.build).toBe('relaxed');
});
