// Inverse error function in f64 for truncNormal's inverse-CDF sampling: Winitzki's closed-form
// estimate (2008, ~2e-3 relative) polished by Newton steps on the Cody erf of ts/math/special.ts.

import { erf } from '../math/special.js';

const A = 0.147;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** y with erf(y) = z for z in [-1, 1] (±Infinity at ±1, NaN outside). */
export function erfinv(z: number): number {
  if (!(z >= -1 && z <= 1)) return NaN;
  if (z === 1 || z === -1) return z * Infinity;
  if (z === 0) return 0;
  const l = Math.log(1 - z * z);
  const t = 2 / (Math.PI * A) + l / 2;
  let y = Math.sign(z) * Math.sqrt(Math.sqrt(t * t - l / A) - t);
  for (let i = 0; i < 4; i++) {
    const slope = TWO_OVER_SQRT_PI * Math.exp(-y * y);
    if (slope === 0) break;
    y -= (erf(y) - z) / slope;
  }
  return y;
}
