// Block-coordinate descent (Wright, "Coordinate descent algorithms", 2015): each param group is a
// block; every step updates ONE block with a gradient step (cyclic order, or uniformly random from
// a seeded Philox stream) and leaves the others untouched.

import { check } from '../../errors.js';
import { philox4x32 } from '../../ops/random.js';
import { Optimizer, type Closure, type OptimizerStateDict, type ParamGroup, type ParamsInput } from '../optimizer.js';
import { chain, scaleByLearningRate, type GradientTransformation } from '../transform.js';
import { choice, nonNegative } from '../validate.js';

export interface BlockCoordinateOptions { lr?: number; order?: 'cyclic' | 'random'; seed?: number }

/**
 * @example new optim.BlockCoordinateDescent([{ params: [W1] }, { params: [W2] }], { lr: 0.1, order: 'random' })
 */
export class BlockCoordinateDescent extends Optimizer {
  private count = 0;
  /** Index of the block the last step updated (-1 before the first step). */
  lastBlock = -1;

  constructor(params: ParamsInput, opts: BlockCoordinateOptions = {}) {
    super('BlockCoordinateDescent', params, opts, {
      lr: nonNegative(1e-3), order: choice<'cyclic' | 'random'>('cyclic', ['cyclic', 'random']), seed: nonNegative(0),
    });
  }

  protected makeTransform(g: ParamGroup): GradientTransformation {
    return chain(scaleByLearningRate(() => g.lr));
  }

  /** The block step k updates. */
  blockAt(k: number): number {
    const n = this.paramGroups.length;
    if (this.defaults.order === 'cyclic') return k % n;
    return philox4x32(k >>> 0, 0, 0, 0, (this.defaults.seed as number) >>> 0, 0x0bcd)[0] % n;
  }

  override step(closure?: Closure): number | ReturnType<Closure> | undefined {
    check(closure === undefined || typeof closure === 'function', 'BAD_ARGUMENT', () => 'BlockCoordinateDescent.step: expected a closure or nothing');
    const loss = closure ? closure() : undefined;
    const block = this.blockAt(this.count);
    this.checkReady(this.paramGroups[block]);
    this.lastBlock = block;
    this.stepGroup(this.paramGroups[block]);
    this.count += 1;
    return loss;
  }

  override stateDict(): OptimizerStateDict {
    const sd = super.stateDict();
    return { ...sd, state: { ...sd.state, blocks: { count: this.count } } };
  }

  override loadStateDict(sd: OptimizerStateDict): void {
    const { blocks, ...rest } = sd.state as Record<string, { count?: number }>;
    check(typeof blocks?.count === 'number', 'BAD_ARGUMENT', () => 'BlockCoordinateDescent.loadStateDict: expected state.blocks.count');
    super.loadStateDict({ ...sd, state: rest as OptimizerStateDict['state'] });
    this.count = blocks.count;
  }
}
