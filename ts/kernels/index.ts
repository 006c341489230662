// `kernels`: raw entry points of the wasm kernels on plain typed arrays, for users who want a
// kernel without tensors (exported from the package as the `kernels` namespace).

export { softmaxCrossEntropy } from './softmaxce.js';
export type { SoftmaxCrossEntropyResult } from './softmaxce.js';
export { sgemm, dgemm } from './gemm.js';
export type { GemmOptions } from './gemm.js';
export { newtonSchulz } from './newton-schulz.js';
export type { NewtonSchulzOptions } from '../optim/newton-schulz.js';
export { f32ToF16, f16ToF32, f32ToBf16, bf16ToF32, f32ToFp8, fp8ToF32 } from './convert.js';
export type { Rounding, Fp8Format, NarrowOptions, Fp8Options, WidenOptions } from './convert.js';
