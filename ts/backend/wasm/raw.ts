// The one typed accessor through which ts/kernels/ (raw typed-array entry points, wasm by
// definition) reaches the wasm device: the loaded runtime and the pointer-level drivers.

import { getBackend, hasBackend } from '../../engine.js';
import { DescentError } from '../../errors.js';
import type { WasmBackend } from './index.js';
import type { WasmRuntime } from './runtime.js';

export { gemm, f32Kernel, KERNEL_F64, OPERAND_SAME, type GemmRuntime } from './gemm.js';
export { withBlocks } from './scratch.js';
export { softmaxCrossEntropyPtr } from './softmaxce.js';
export { newtonSchulzPtr } from './newton-schulz.js';
export type { WasmRuntime };

/** The loaded wasm runtime; a DescentError naming `where` before `await init()`. */
export function wasmRuntime(where: string): WasmRuntime {
  if (!hasBackend('wasm')) throw new DescentError('NOT_INITIALIZED', `${where}: the wasm runtime is not loaded; call \`await init()\` first`);
  return (getBackend('wasm') as WasmBackend).rt;
}
