// Types of readme-loop.mjs (plain JS so the bundle-based bench and verify scripts can share it).
import type * as D from '../../ts/index.js';

export interface ReadmeLoop {
  model: D.nn.Sequential;
  opt: D.optim.AdamW;
  x: D.Tensor;
  y: D.Tensor;
  step(): { out: D.Tensor; loss: D.Tensor; lossValue: number };
}
export function readmeLoop(d: typeof D, opts?: { hidden?: number; scheduler?: boolean }): ReadmeLoop;
