// f16/bf16 rounding is bit-exact with PyTorch (fixture from test/fixtures/gen_halves.py), on the
// host conversions and on both devices' copy kernels.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as d from '../ts/index.js';
import { f32ToBf16, f32ToF16, f16ToF32 } from '../ts/dtype.js';

await d.init({ device: 'wasm' });

const fx = JSON.parse(readFileSync(new URL('./fixtures/halves.json', import.meta.url), 'utf8')) as {
  f32bits: number[]; f16bits: number[]; bf16bits: number[]; f16back: number[];
};
const f32 = new Float32Array(Uint32Array.from(fx.f32bits).buffer);
const hex = (v: number) => `0x${v.toString(16)}`;

// PyTorch 1.13's vectorized CPU path writes bf16 NaN as 0xFFFF while its scalar c10::BFloat16
// path writes 0x7FC0; we follow c10 (and ONNX Runtime): every bf16 NaN is 0x7FC0.
const isBf16NaN = (h: number) => (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;

function expectBits(got: ArrayLike<number>, want: number[], what: string): void {
  for (let i = 0; i < want.length; i++) {
    if (what.endsWith('bf16') && isBf16NaN(want[i])) {
      expect(got[i], `${what}: NaN input ${hex(fx.f32bits[i])}`).toBe(0x7fc0);
      continue;
    }
    if (got[i] !== want[i]) expect.fail(`${what}: input ${hex(fx.f32bits[i])} → ${hex(got[i])}, PyTorch gives ${hex(want[i])}`);
  }
}

describe('f32 → half matches PyTorch bit for bit', () => {
  test('host conversions (ts/dtype.ts)', () => {
    expectBits(Array.from(f32, f32ToF16), fx.f16bits, 'f16');
    expectBits(Array.from(f32, f32ToBf16), fx.bf16bits, 'bf16');
    const back = new Uint32Array(Float32Array.from(fx.f16bits, f16ToF32).buffer);
    expectBits(back, fx.f16back, 'f16 → f32');
  });

  test.each(['wasm', 'reference'] as const)('copy kernels on %s', (device) => {
    d.tidy(() => {
      const t = d.tensor(f32, { device });
      const h = t.to('f16');
      expectBits(h.backend.read(h), fx.f16bits, `${device} f16`);
      const b = t.to('bf16');
      expectBits(b.backend.read(b), fx.bf16bits, `${device} bf16`);
      const back = new Uint32Array(h.to('f32').dataSync().buffer);
      expectBits(back, fx.f16back, `${device} f16 → f32`);
    });
  });
});
