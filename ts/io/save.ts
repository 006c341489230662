// save/load/loadJson: tensors (a tensor, a module's stateDict, or an object of named tensors) go to
// safetensors files that Python's `safetensors` reads; plain data such as optimizer.stateDict()
// goes to a `.json` file. Writes are atomic (temporary file + rename); a rejected call writes
// nothing. saveBuffer/loadBuffer are the same for browsers, on bytes.

import { DescentError } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { Device } from '../backend/backend.js';
import { Module } from '../nn/module.js';
import { type Metadata, decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { readFileBytes, writeFileAtomic } from './node.js';

export type Saveable = Tensor | Module<any[], any> | Record<string, Tensor>;

/** Safetensors bytes of a Saveable: a lone tensor is saved under the name 'tensor'. */
function encodeSaveable(obj: Saveable, where: string, metadata?: Metadata): Uint8Array {
  if (obj instanceof Tensor) return encodeSafetensors({ tensor: obj }, metadata);
  if (obj instanceof Module) {
    const sd = obj.stateDict();
    try {
      return encodeSafetensors(sd, metadata);
    } finally {
      for (const t of Object.values(sd)) t.dispose(); // stateDict's views, not the parameters
    }
  }
  if (obj !== null && typeof obj === 'object' && Object.values(obj).every((v) => v instanceof Tensor)) return encodeSafetensors(obj, metadata);
  throw new DescentError('BAD_ARGUMENT', `${where}: expected a tensor, a module or an object of named tensors`
    + ' (plain data such as optimizer.stateDict() goes to a .json path)');
}

const isJsonPath = (path: string): boolean => path.toLowerCase().endsWith('.json');

/** Plain data as JSON text (tensors as {dtype, shape, data}), refusing what JSON would drop or mangle. */
function toJson(obj: unknown, where: string): string {
  const text = JSON.stringify(obj, (k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new DescentError('BAD_ARGUMENT', `${where}: '${k}' is ${v}, which JSON cannot hold`);
    if (typeof v === 'function' || typeof v === 'bigint') throw new DescentError('BAD_ARGUMENT', `${where}: '${k}' is a ${typeof v}, which JSON cannot hold`);
    return v;
  });
  if (text === undefined) throw new DescentError('BAD_ARGUMENT', `${where}: expected JSON-serializable data, got ${typeof obj}`);
  return text;
}

/** Safetensors bytes of a tensor, a module (its stateDict) or named tensors, for browsers. */
export function saveBuffer(obj: Saveable, metadata?: Metadata): Uint8Array {
  return encodeSaveable(obj, 'saveBuffer', metadata);
}

/** The named tensors of safetensors bytes, on `device` (default: the default device). */
export function loadBuffer(bytes: Uint8Array | ArrayBuffer, opts: { device?: Device } = {}): Record<string, Tensor> {
  const u8 = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  return decodeSafetensors(u8, { ...opts, source: 'loadBuffer' }).tensors;
}

/**
 * Saves to `path` (Node): tensors as safetensors, or plain data as JSON when the path ends in .json.
 * @example d.save(model, 'model.safetensors'); d.save(opt.stateDict(), 'opt.json');
 */
export function save(obj: Saveable | object, path: string): void {
  if (typeof path !== 'string' || path === '') throw new DescentError('BAD_ARGUMENT', `save: expected a file path, got ${String(path)}`);
  const bytes = isJsonPath(path) ? toJson(obj, 'save') : encodeSaveable(obj as Saveable, 'save');
  writeFileAtomic(path, bytes, 'save');
}

/**
 * Loads the named tensors of a safetensors file (Node), whoever wrote it.
 * @example model.loadStateDict(d.load('model.safetensors'));
 */
export function load(path: string, opts: { device?: Device } = {}): Record<string, Tensor> {
  if (typeof path !== 'string' || path === '') throw new DescentError('BAD_ARGUMENT', `load: expected a file path, got ${String(path)}`);
  if (isJsonPath(path)) throw new DescentError('BAD_ARGUMENT', `load: '${path}' is JSON; load reads safetensors, loadJson reads .json files`);
  return decodeSafetensors(readFileBytes(path, 'load'), { ...opts, source: path }).tensors;
}

/**
 * Reads a .json file that save wrote (Node); T names the shape you expect (not checked here: the
 * consumer, e.g. optimizer.loadStateDict, validates it).
 * @example opt.loadStateDict(d.loadJson<d.optim.OptimizerStateDict>('opt.json'));
 */
export function loadJson<T = unknown>(path: string): T {
  if (typeof path !== 'string' || !isJsonPath(path)) throw new DescentError('BAD_ARGUMENT', `loadJson: expected a path ending in .json, got ${String(path)}`);
  const bytes = readFileBytes(path, 'loadJson');
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (e) {
    throw new DescentError('INVALID_DATA', `loadJson: ${path} is not valid JSON (${(e as Error).message})`);
  }
}
