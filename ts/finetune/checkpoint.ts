// Gradient checkpointing (Chen et al. 2016; torch.utils.checkpoint): a checkpointed segment runs
// forward without recording, keeping only its input; its backward re-runs the segment with
// recording and back-propagates through that copy. Activation memory drops from every
// intermediate of the segment to its input, for one extra forward. The RNG state is replayed so
// dropout draws the same mask (torch's preserve_rng_state). Under a recorded backward (createGraph,
// hvp, grad of grad) the recomputation runs on the real inputs and records its own backward, so
// double backward through a segment is exact (as torch's non-reentrant variant).

import { check } from '../errors.js';
import { tidy } from '../lifetime.js';
import { Tensor } from '../tensor.js';
import { attach, enableGrad, isGradEnabled, noGrad } from '../autograd/tape.js';
import { gradients } from '../autograd/backward.js';
import { getRngState, setRngState } from '../ops/random.js';
import { Sequential } from '../nn/layers/container.js';
import type { AnyModule } from '../nn/module.js';

/**
 * fn(x) whose intermediates are recomputed in backward; `params` are the tensors fn reads besides x
 * (a module's parameters) and receive their gradients as usual.
 * @example const y = finetune.checkpoint((h) => block.call(h), x, block.parameters())
 */
export function checkpoint(fn: (x: Tensor) => Tensor, x: Tensor, params: Tensor[] = []): Tensor {
  check(typeof fn === 'function', 'BAD_ARGUMENT', () => `checkpoint: expected a function, got ${typeof fn}`);
  check(x instanceof Tensor && Array.isArray(params) && params.every((p) => p instanceof Tensor), 'BAD_ARGUMENT',
    () => 'checkpoint: expected an input tensor and an array of parameter tensors');
  const inputs = [x, ...params];
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return fn(x);
  const rng = getRngState();
  const out = tidy(() => noGrad(() => fn(x)));
  return attach(out, inputs, (g) => recompute(fn, inputs, rng, g), 'checkpoint');
}

function recompute(fn: (x: Tensor) => Tensor, inputs: Tensor[], rng: ReturnType<typeof getRngState>, g: Tensor): (Tensor | null)[] {
  const createGraph = isGradEnabled(); // backward runs VJPs in grad mode only when it records itself
  const now = getRngState();
  setRngState(rng);
  try {
    return tidy(() => enableGrad(() => {
      // a fresh leaf stops a first-order pass at x; a recorded pass must reach x's own history
      const x = createGraph ? inputs[0] : inputs[0].detach();
      if (!createGraph) x.requiresGrad = inputs[0].requiresGrad;
      const all = [x, ...inputs.slice(1)];
      const y = fn(x);
      if (!y.requiresGrad) return all.map(() => null);
      const gs = gradients(y, all.filter((t) => t.requiresGrad), createGraph ? g : g.detach(), { createGraph });
      let k = 0;
      return all.map((t) => (t.requiresGrad ? gs[k++] : null));
    }));
  } finally {
    setRngState(now);
  }
}

/**
 * torch.utils.checkpoint.checkpoint_sequential: splits the modules of `seq` into `segments` runs,
 * checkpoints all but the last and runs the last normally.
 * @example const y = finetune.checkpointSequential(net, 2, x)
 */
export function checkpointSequential(seq: Sequential, segments: number, x: Tensor): Tensor {
  check(seq instanceof Sequential, 'BAD_ARGUMENT', () => `checkpointSequential: expected an nn.Sequential, got ${String(seq)}`);
  const mods = seq.children();
  check(Number.isInteger(segments) && segments > 0 && segments <= mods.length, 'BAD_ARGUMENT',
    () => `checkpointSequential: expected segments in 1..${mods.length}, got ${String(segments)}`);
  const size = Math.ceil(mods.length / segments);
  const runs: AnyModule[][] = [];
  for (let i = 0; i < mods.length; i += size) runs.push(mods.slice(i, i + size));
  const run = (ms: AnyModule[]) => (h: Tensor) => ms.reduce((y, m) => m.call(y) as Tensor, h);
  let y = x;
  runs.forEach((ms, i) => {
    const prev = y;
    y = i < runs.length - 1 ? checkpoint(run(ms), prev, ms.flatMap((m) => m.parameters())) : run(ms)(prev);
  });
  return y;
}
