// Runs an optimizer on a 2-D toy function and records its trajectory. The point is a 1×2 f64
// parameter on the reference device (exact, and a matrix, so Muon and Shampoo take it too).
// Used by `descent toy` and reusable by a browser page.

import * as d from '../index.js';
import type { ToyFunction } from './functions.js';

export interface ToyRun {
  /** [x, y, f(x, y)] before each step and after the last one; stops early if the point diverges. */
  path: [number, number, number][];
  final: { x: number; y: number; value: number };
  diverged: boolean;
}

export interface ToyRunOptions {
  steps: number;
  start?: [number, number];
  /** Whether step() needs a closure that re-evaluates the loss (LBFGS, zeroth-order). */
  closure?: boolean;
}

/** Runs `steps` steps of the optimizer `make(params)` from fn.start (or opts.start). */
export function runToy(fn: ToyFunction, make: (params: d.Tensor[]) => d.optim.Optimizer, opts: ToyRunOptions): ToyRun {
  const [x0, y0] = opts.start ?? fn.start;
  const p = d.tensor([[x0, y0]], { dtype: 'f64', device: 'reference', requiresGrad: true });
  let opt: d.optim.Optimizer | undefined;
  try {
    opt = make([p]);
    const loss = (): d.Tensor => fn.f(p.narrow(1, 0, 1), p.narrow(1, 1, 1)).sum();
    // Zeroth-order methods call the closure under noGrad: no backward there.
    const closure = (): d.Tensor => { opt!.zeroGrad(); const l = loss(); if (d.isGradEnabled()) l.backward(); return l; };
    const path: [number, number, number][] = [];
    const record = (): boolean => {
      const [x, y] = p.dataSync() as Float64Array;
      path.push([x, y, fn.value(x, y)]);
      return Number.isFinite(x) && Number.isFinite(y) && Math.abs(fn.value(x, y)) < 1e12;
    };
    let diverged = !record();
    for (let i = 0; i < opts.steps && !diverged; i++) {
      d.tidy(() => { if (!opts.closure) { closure(); opt!.step(); return; }
        // LBFGS returns the closure's first loss, kept out of the tidy scope: free it here.
        const first = opt!.step(closure);
        if (d.isTensor(first) && !first.isDisposed) first.dispose(); });
      diverged = !record();
    }
    const [x, y, value] = path[path.length - 1];
    return { path, final: { x, y, value }, diverged };
  } finally {
    if (opt) disposeState(opt);
    p.grad?.dispose();
    p.dispose();
  }
}

/** Frees an optimizer's state tensors (optimizers have no dispose of their own). */
export function disposeState(opt: d.optim.Optimizer): void {
  const free = (v: unknown): void => {
    if (d.isTensor(v)) { if (!v.isDisposed) v.dispose(); } else if (v !== null && typeof v === 'object') Object.values(v).forEach(free);
  };
  for (const s of opt.state.values()) free(s);
  opt.state.clear();
}
