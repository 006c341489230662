// Every ```ts example in README.md runs: each block is written to a temporary module with
// `from 'descent'` pointing at the sources, then imported (top-level await included).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test, expect, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const dir = new URL('./.readme/', import.meta.url);
mkdirSync(dir, { recursive: true });

test('README has runnable examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(5);
});

blocks.forEach((code, i) => {
  test(`README example ${i + 1} runs`, async () => {
    const file = new URL(`block${i + 1}.ts`, dir);
    writeFileSync(file, code.replaceAll("from 'descent'", "from '../../ts/index.js'"));
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await import(/* @vite-ignore */ file.href);
      expect(log).toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });
});
