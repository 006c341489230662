// Node built-ins for the file-based entry points (readIdxFile, save/load, checkpoints), reached
// through process.getBuiltinModule so the browser bundle never resolves a node: import; in a
// browser these entry points throw a DescentError that names the ArrayBuffer form to use instead.

import { DescentError } from '../errors.js';

type Builtins = { fs: typeof import('node:fs'); zlib: typeof import('node:zlib'); path: typeof import('node:path') };

/** The Node module `name`, or a DescentError naming `where` and the browser alternative. */
export function nodeModule<K extends keyof Builtins>(name: K, where: string, alternative: string): Builtins[K] {
  const proc = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.(`node:${name}`);
  if (mod === undefined) throw new DescentError('UNSUPPORTED', `${where}: needs Node's ${name} module (Node ≥ 20.16); in a browser use ${alternative}`);
  return mod as Builtins[K];
}

/**
 * Writes `bytes` to `path` atomically: a temporary file beside it, then a rename, so a reader
 * (or a crash) never sees half a file.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string, where: string, alternative = 'saveBuffer'): void {
  const fs = nodeModule('fs', where, alternative);
  const tmp = `${path}.tmp-${(globalThis as { process?: { pid?: number } }).process?.pid ?? 0}`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, path);
  } catch (e) {
    try { fs.rmSync(tmp, { force: true }); } catch { /* the temp file was never made */ }
    throw new DescentError('BAD_ARGUMENT', `${where}: cannot write '${path}': ${(e as Error).message}`);
  }
}

/** Reads a whole file, or a DescentError naming it. */
export function readFileBytes(path: string, where: string, alternative = 'loadBuffer'): Uint8Array {
  const fs = nodeModule('fs', where, alternative);
  try {
    return new Uint8Array(fs.readFileSync(path));
  } catch (e) {
    throw new DescentError('BAD_ARGUMENT', `${where}: cannot read '${path}': ${(e as Error).message}`);
  }
}
