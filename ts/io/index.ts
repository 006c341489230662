// Serialization: safetensors for tensors, JSON for plain state; files in Node, bytes in browsers.

export { save, load, loadJson, saveBuffer, loadBuffer, type Saveable } from './save.js';
export { encodeSafetensors, decodeSafetensors, type Metadata, type Decoded } from './safetensors.js';
