// optim.lrScheduler: every PyTorch learning-rate scheduler of issue 5, same names and semantics,
// options in camelCase (`step_size` → `stepSize`, `T_max` → `TMax`).

export { LRScheduler, type SchedulableGroup, type SchedulableOptimizer, type SchedulerState } from './base.js';
export { StepLR, MultiStepLR, ExponentialLR } from './step.js';
export { LinearLR, ConstantLR, PolynomialLR } from './linear.js';
export { CosineAnnealingLR, CosineAnnealingWarmRestarts } from './cosine.js';
export { OneCycleLR } from './one-cycle.js';
export { SequentialLR } from './sequential.js';
export { LambdaLR, type LrLambda } from './lambda.js';
export { ReduceLROnPlateau } from './plateau.js';
