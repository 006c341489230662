import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks', // execArgv does not reach workers with pool 'threads'
    execArgv: ['--experimental-wasm-relaxed-simd'], // Node 20: relaxed SIMD needs the flag
    testTimeout: 120000,
    hookTimeout: 120000,
  },
});
