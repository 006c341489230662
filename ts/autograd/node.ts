// GradNode: one recorded op in the autograd graph. `backward` maps the output gradient to one
// gradient per input (null where an input needs none). The engine in ts/autograd/ walks these.

import type { Tensor } from '../tensor.js';

export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  backward: ((g: Tensor) => (Tensor | null)[]) | null;
}
