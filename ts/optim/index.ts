// optim: the optimizer zoo. PyTorch-named facades (SGD, Adam, …) over Optax-style gradient
// transformations (chain, scaleByAdam, …), learning-rate schedulers, and gradient clipping.

export { Optimizer, applyUpdates, type ParamGroup, type ParamGroupInput, type ParamsInput, type Closure,
  type OptimizerStateDict } from './optimizer.js';
export { chain, linkStates, scale, scaleByLearningRate, addDecayedWeights, trace, clipByGlobalNorm, globalNorm,
  type GradientTransformation, type ParamState, type Scalar, type Flag } from './transform.js';
export { scaleByAdam, scaleByAdamax, scaleByNadam, scaleByRadam } from './transforms/adam.js';
export { scaleByAdagrad, scaleByRmsprop, scaleByAdadelta } from './transforms/adaptive.js';
export { SGD, type SGDOptions } from './optimizers/sgd.js';
export { Adam, AdamW, NAdam, RAdam, Adamax, type AdamOptions, type AdamWOptions, type NAdamOptions,
  type RAdamOptions, type AdamaxOptions } from './optimizers/adam.js';
export { Adagrad, RMSprop, Adadelta, type AdagradOptions, type RMSpropOptions, type AdadeltaOptions } from './optimizers/adaptive.js';
export { scaleByLion, scaleBySign, ema } from './transforms/sign.js';
export { Lion, SignSGD, Signum, type LionOptions, type SignSGDOptions, type SignumOptions } from './optimizers/sign.js';
export { Muon, MuonWithAuxAdam, scaleByMuon, splitForMuon, muonScale, type SplitForMuonOptions, type MuonOptions, type AdjustLrFn,
  type ScaleByMuonOptions } from './optimizers/muon.js';
export { zeropowerViaNewtonSchulz, NS_COEFFICIENTS, type NewtonSchulzOptions } from './newton-schulz.js';
export { newtonSchulz } from '../kernels/newton-schulz.js';
export { Shampoo, scaleByShampoo, type ShampooOptions, type Grafting } from './optimizers/shampoo.js';
export { symEig, symEigJacobi, inverseRoot } from './sym-eig.js';
export { coupledNewtonInverseRoot, powerIteration, type RootInverseMethod, type CoupledNewtonOptions,
  type CoupledNewtonResult } from './inverse-root.js';
export { TransformOptimizer } from './optimizers/from-transformation.js';
export { LBFGS, type LBFGSOptions } from './optimizers/lbfgs.js';
export { strongWolfe, cubicInterpolate } from './line-search.js';
export * from './classical/index.js';
export { setFusedUpdates, fusedCalls } from './fused.js';
export { clipGradNorm, clipGradNormTensor, clipGradValue } from './clip.js';
export * as lrScheduler from './lr-scheduler/index.js';
export * as quantizers from './quantizers.js';
export { lowPrecisionState, STATE_DTYPES, type StateDtype } from './low-precision-state.js';
