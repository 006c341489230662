// nn.functional: stateless layer ops (torch.nn.functional, camelCase). Losses join from losses.ts.

export { linear } from './linear.js';
export { conv2d, unfold } from './conv.js';
export type { Conv2dOptions, UnfoldOptions } from './conv.js';
export { maxPool2d, avgPool2d } from './pool.js';
export type { MaxPool2dOptions, AvgPool2dOptions } from './pool.js';
export { batchNorm, layerNorm } from './norm.js';
export type { BatchNormOptions, LayerNormOptions } from './norm.js';
export { dropout } from './dropout.js';
export { embedding } from './embedding.js';
export { softmax, logSoftmax } from './softmax.js';
export { scaledDotProductAttention, causalMask } from './attention.js';
export type { AttentionOptions } from './attention.js';
export { relu, silu, tanh, sigmoid } from '../../ops/elementwise.js';
export { softplus, logSigmoid } from '../../ops/softplus.js';
export type { SoftplusOptions } from '../../ops/softplus.js';
export { oneHot } from '../../ops/one-hot.js';
export { gelu } from './gelu.js';
export type { GeluOptions } from './gelu.js';
export {
  mseLoss, l1Loss, smoothL1Loss, huberLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits, hingeEmbeddingLoss,
  multiMarginLoss, klDiv,
} from './losses.js';
export type {
  SmoothL1Options, HuberOptions, BCEOptions, BCEWithLogitsOptions, HingeEmbeddingOptions, MultiMarginOptions, KLDivOptions,
} from './losses.js';
export { nllLoss, crossEntropy } from './cross-entropy.js';
export type { NLLOptions, CrossEntropyOptions } from './cross-entropy.js';
export type { Reduction, ReductionOptions } from './loss-util.js';
