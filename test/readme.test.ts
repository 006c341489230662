// Every example in README.md and ts/optim/README.md runs as it stands: each ```js or ```ts block
// is written to a temporary module with `from 'descent'` pointing at the sources, then imported
// (top-level await included). Every fenced block says what it is: js (runs with node), ts (its
// first line says how to run it), sh (commands) or text.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeEach, expect, test, vi } from 'vitest';
import { init } from '../ts/index.js';

const dir = new URL('./.readme/', import.meta.url);
mkdirSync(dir, { recursive: true });
const docs = ['README.md', 'ts/optim/README.md'].map((path) => {
  const text = readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
  const fences = [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], code: m[2] }));
  return { path, fences, runnable: fences.filter((f) => f.lang === 'js' || f.lang === 'ts') };
});

test.each(docs.map((doc) => [doc.path, doc] as const))('%s: every block is js, ts (with how to run it), sh or text', (_, doc) => {
  expect(doc.runnable.length).toBeGreaterThanOrEqual(1);
  for (const { lang, code } of doc.fences) {
    expect(['js', 'ts', 'sh', 'text']).toContain(lang);
    if (lang === 'ts') expect(code).toMatch(/^\/\/ TypeScript: save as (\S+\.ts) and run `npx tsx \1`\n/);
  }
});

// Each block is a program of its own: one that picks a device (webgpu) must not set the next one's.
beforeEach(() => init({ device: 'wasm' }));

const blocks = docs.flatMap((doc) => doc.runnable.map((b, i) => ({ name: `${doc.path} example ${i + 1} (${b.lang})`, ...b })));

test.each(blocks.map((b, i) => [b.name, b, i] as const))('%s runs', async (_, block, i) => {
  const file = new URL(`block${i + 1}.${block.lang === 'js' ? 'mjs' : 'ts'}`, dir);
  writeFileSync(file, block.code.replaceAll("from 'descent'", "from '../../ts/index.js'").replaceAll("from 'descent/viz'", "from '../../ts/viz/index.js'"));
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await import(/* @vite-ignore */ file.href);
    expect(log).toHaveBeenCalled();
  } finally {
    log.mockRestore();
  }
});
