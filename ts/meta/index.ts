// meta: bilevel hypergradients (unrolled, implicit with CG), hypergradient descent on the learning rate, MAML.
export { unrolledHypergradient, implicitHypergradient, conjugateGradient, type BilevelLoss, type ImplicitOptions } from './bilevel.js';
export { HypergradientDescent } from './hypergradient_descent.js';
export { mamlStep, adapt, type Task, type TaskLoss, type MAMLOptions } from './maml.js';
