// Every PyTorch-parity optimizer against torch trajectories (test/fixtures/optim_*.json, from
// gen_optim.py): quadratic and softmax regression, f64 (1e-9 relative) and f32 (1e-5), 25 steps.
import { describe, expect, it } from 'vitest';
import '../ts/index.js';
import type { Tensor } from '../ts/tensor.js';
import * as optim from '../ts/optim/index.js';
import { loadFixture, makeParams, relErr, setGrads, tolerance, type OptimCase } from './optim-problems.js';

type Ctor = new (params: Tensor[], opts: Record<string, unknown>) => optim.Optimizer;
const CTORS: Record<string, Ctor> = {
  SGD: optim.SGD as Ctor, Adam: optim.Adam as Ctor, AdamW: optim.AdamW as Ctor, NAdam: optim.NAdam as Ctor,
  RAdam: optim.RAdam as Ctor, Adamax: optim.Adamax as Ctor, Adagrad: optim.Adagrad as Ctor,
  RMSprop: optim.RMSprop as Ctor, Adadelta: optim.Adadelta as Ctor,
};

const label = (c: OptimCase): string => `${c.optimizer} ${JSON.stringify(c.options)} ${c.problem} ${c.dtype}`;

for (const name of ['sgd', 'adam', 'adamw', 'nadam', 'radam', 'adamax', 'adagrad', 'rmsprop', 'adadelta']) {
  const fx = loadFixture(name);
  describe(`${name} matches torch ${fx.torch}`, () => {
    for (const c of fx.cases) {
      it(label(c), () => {
        const params = makeParams(c, fx.problems);
        const opt = new CTORS[c.optimizer](params, c.options);
        c.traj.forEach((want, k) => {
          setGrads(params, fx.problems, c);
          opt.step();
          const err = relErr(params, want);
          if (!(err <= tolerance(c))) expect.fail(`step ${k + 1}: relative error ${err} > ${tolerance(c)}`);
        });
        opt.zeroGrad();
      });
    }
  });
}
