// Public API of descent: `import * as d from 'descent'`; the default device is ready on import.

import './tensor-methods.js';
import { registerReferenceDevice } from './backend/devices.js';
import { defaultDeviceFailed } from './engine.js';
import { init } from './init.js';

registerReferenceDevice();
// Ready on import (top-level await): ops never run before the default device is there, nor
// silently on the slow reference device. init() stays for options (threads, build, device). If
// wasm cannot load (a page's CSP without 'wasm-unsafe-eval'), the import still succeeds and
// every op names the cause until an init() succeeds. Import never probes for a GPU (no Dawn load,
// no adapter request): a plain `await init()` does, and takes webgpu when a hardware adapter is there.
await init({ device: 'wasm' }).catch(defaultDeviceFailed);

export { init, backendInfo } from './init.js';
export type { InitOptions, BackendInfo } from './init.js';
export { Tensor, isTensor } from './tensor.js';
export type { NestedArray, JsonTensor } from './tensor.js';
export type { PrintOptions } from './tensor-print.js';
export { DescentError } from './errors.js';
export type { DType } from './dtype.js';
export type { Device } from './backend/backend.js';
export { memory } from './engine.js';
export { startProfile, PROFILE_CATEGORIES } from './profile.js';
export type { Profiler, ProfileReport, ProfileCategory } from './profile.js';
export { tidy, keep, dispose } from './lifetime.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/tape.js';
export { backward, gradients, requiresGrad_, retainGrad } from './autograd/backward.js';
export type { BackwardOptions } from './autograd/backward.js';
export { grad, valueAndGrad, vjp, jvp, hvp } from './autograd/functional.js';
export type { GradOptions } from './autograd/functional.js';
export { gradcheck, gradgradcheck } from './autograd/gradcheck.js';
export type { GradcheckOptions } from './autograd/gradcheck.js';
export * from './ops/creation.js';
export { manualSeed, philox4x32, getRngState, setRngState } from './ops/random.js';
export * from './ops/elementwise.js';
export { sum, prod, mean, max, min, argmax, argmin, variance as var, std, norm, logsumexp } from './ops/reduce.js';
export type { Axes, ReduceOptions, VarOptions } from './ops/reduce.js';
export * from './ops/shape.js';
export { expand } from './ops/broadcast.js';
export * from './ops/inplace.js';
export * from './ops/join.js';
export * from './ops/indexing.js';
export * from './ops/linalg.js';
export * from './ops/everyday.js';
export { quantize, QUANT_FORMATS, type QuantFormat, type QuantizeOptions } from './ops/quantize.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as amp from './amp/index.js';
export * as kernels from './kernels/index.js';
export * as data from './data/index.js';
export * as train from './train/index.js';
export { save, load, loadJson, saveBuffer, loadBuffer, encodeSafetensors, decodeSafetensors } from './io/index.js';
export type { Saveable, Metadata } from './io/index.js';
export * as adversarial from './adversarial/index.js';
export * as meta from './meta/index.js';
export * as multitask from './multitask/index.js';
export * as sam from './sam/index.js';
export * as finetune from './finetune/index.js';
