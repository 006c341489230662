// The IDX format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian magic 0x0000TTDD (TT the
// element type, DD the number of dimensions), one big-endian int32 per dimension, then the raw
// values. Files are usually gzip-compressed; both forms are read. Only unsigned bytes (0x08), the
// type every MNIST-family file uses, are accepted.

import { DescentError } from '../errors.js';
import { nodeModule, readFileBytes } from '../io/node.js';

export interface IdxArray { shape: number[]; data: Uint8Array }

const UBYTE = 0x08;
const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const hex = (b: Uint8Array, n: number): string => Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join(' ');
const bad = (name: string, problem: string): DescentError => new DescentError('INVALID_DATA', `${name}: ${problem}`);

/**
 * Parses an IDX file's bytes (gunzipped first when they start with the gzip magic; that needs
 * Node, browsers call parseIdxAsync). `name` is the file name used in error messages; a name
 * ending in `.gz` must hold gzip data.
 * @example const { shape, data } = parseIdx(bytes, 'train-labels-idx1-ubyte');
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  return parseRaw(isGzip(bytes) ? gunzipSync(bytes, name) : notGzip(bytes, name), name);
}

/** parseIdx for browsers: gzip is undone with DecompressionStream (also present in Node). */
export async function parseIdxAsync(bytes: Uint8Array, name: string): Promise<IdxArray> {
  return parseRaw(isGzip(bytes) ? await gunzipStream(bytes, name) : notGzip(bytes, name), name);
}

/** Reads and parses an IDX file (Node), gzip or raw. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  return parseIdx(readFileBytes(path, 'readIdxFile', 'parseIdxAsync on fetched bytes'), path);
}

function notGzip(bytes: Uint8Array, name: string): Uint8Array {
  if (name.endsWith('.gz')) throw bad(name, `not gzip: expected the gzip magic 1f 8b, got ${hex(bytes, 2) || 'an empty file'}`);
  return bytes;
}

function gunzipSync(bytes: Uint8Array, name: string): Uint8Array {
  const zlib = nodeModule('zlib', `parseIdx(${name})`, 'parseIdxAsync');
  try {
    return new Uint8Array(zlib.gunzipSync(bytes));
  } catch (e) {
    throw bad(name, `corrupt or truncated gzip data (${(e as Error).message})`);
  }
}

async function gunzipStream(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw bad(name, `corrupt or truncated gzip data (${(e as Error).message})`);
  }
}

function parseRaw(b: Uint8Array, name: string): IdxArray {
  if (b.length < 4) throw bad(name, `truncated: ${b.length} bytes, expected at least the 4-byte IDX magic`);
  if (b[0] !== 0 || b[1] !== 0 || b[3] < 1 || b[3] > 4) {
    throw bad(name, `wrong magic ${hex(b, 4)}: expected 00 00 08 0N (an IDX file of unsigned bytes with N = 1..4 dimensions)`);
  }
  if (b[2] !== UBYTE) throw bad(name, `IDX element type 0x${b[2].toString(16).padStart(2, '0')} is not supported; expected 0x08 (unsigned byte)`);
  const ndim = b[3];
  const header = 4 + 4 * ndim;
  if (b.length < header) throw bad(name, `truncated: ${b.length} bytes, expected a ${header}-byte header for ${ndim} dimensions`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = shape.reduce((a, n) => a * n, 1);
  const got = b.length - header;
  if (got < size) throw bad(name, `truncated: shape [${shape.join(', ')}] needs ${size} data bytes, got ${got}`);
  if (got > size) throw bad(name, `${got - size} bytes after the data of shape [${shape.join(', ')}]`);
  return { shape, data: b.subarray(header) };
}
