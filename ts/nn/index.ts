// nn: modules, layers, initializers and the functional API (torch.nn, camelCase).

export { Module } from './module.js';
export type { AnyModule, StateDict, JsonStateDict, LoadResult } from './module.js';
export type { JsonTensor } from './state.js';
export type { FactoryOptions } from './layers/factory.js';
export { Sequential, ModuleList } from './layers/container.js';
export { Linear } from './layers/linear.js';
export type { LinearOptions } from './layers/linear.js';
export { Conv2d } from './layers/conv.js';
export type { Conv2dLayerOptions } from './layers/conv.js';
export { MaxPool2d, AvgPool2d } from './layers/pool.js';
export { Identity, Flatten, Dropout, ReLU, GELU, Tanh, Sigmoid, SiLU, Softmax, LogSoftmax } from './layers/basic.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm } from './layers/norm.js';
export type { BatchNormOptions, LayerNormModuleOptions } from './layers/norm.js';
export { Embedding } from './layers/embedding.js';
export type { EmbeddingOptions } from './layers/embedding.js';
export { RNN, LSTM } from './layers/rnn.js';
export type { RNNOptions } from './layers/rnn.js';
export { MultiheadAttention } from './layers/attention.js';
export type { MultiheadAttentionOptions, AttentionCallOptions } from './layers/attention.js';
export { TransformerBlock } from './layers/transformer.js';
export type { TransformerBlockOptions } from './layers/transformer.js';
export {
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, MultiMarginLoss, HingeEmbeddingLoss, NLLLoss,
  CrossEntropyLoss, KLDivLoss,
} from './losses.js';
export * as init from './init.js';
export * as functional from './functional/index.js';
export { functionalCall } from './functional-call.js';
export * as utils from './utils.js';
