// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of
// JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}
// padded with spaces to a multiple of 8, then the tensors' raw little-endian bytes back to back
// (offsets relative to the end of the header, no gaps, no overlaps). f16/bf16 are stored as
// their exact bits, so a round trip is lossless for every dtype.

import { DescentError } from '../errors.js';
import { type DType, decode, encode } from '../dtype.js';
import type { Device } from '../backend/backend.js';
import { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';

const TO_ST: Record<DType, string> = { f64: 'F64', f32: 'F32', f16: 'F16', bf16: 'BF16', i32: 'I32' };
const FROM_ST: Record<string, DType> = Object.fromEntries(Object.entries(TO_ST).map(([d, s]) => [s, d as DType]));
const SIZE: Record<DType, number> = { f64: 8, f32: 4, f16: 2, bf16: 2, i32: 4 };
const MAX_HEADER = 100 * 1024 * 1024; // the reference implementation's limit

export type Metadata = Record<string, string>;
export interface Decoded { tensors: Record<string, Tensor>; metadata: Metadata }

/** Little-endian bytes of a tensor's values (its storage bits for f16/bf16). */
function tensorBytes(t: Tensor): Uint8Array {
  const bits = encode(t.dtype, t.dataSync());
  const out = new Uint8Array(bits.length * SIZE[t.dtype]);
  const v = new DataView(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    if (t.dtype === 'f64') v.setFloat64(8 * i, bits[i], true);
    else if (t.dtype === 'f32') v.setFloat32(4 * i, bits[i], true);
    else if (t.dtype === 'i32') v.setInt32(4 * i, bits[i], true);
    else v.setUint16(2 * i, bits[i], true);
  }
  return out;
}

/**
 * Encodes named tensors (in the given key order) and optional string metadata as safetensors.
 * @example const bytes = encodeSafetensors(model.stateDict());
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Metadata): Uint8Array {
  checkEncodable(tensors, metadata);
  const header: Record<string, unknown> = metadata === undefined ? {} : { __metadata__: metadata };
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = tensorBytes(t);
    header[name] = { dtype: TO_ST[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function checkEncodable(tensors: unknown, metadata: unknown): asserts tensors is Record<string, Tensor> {
  if (tensors === null || typeof tensors !== 'object' || tensors instanceof Tensor) {
    throw new DescentError('BAD_ARGUMENT', 'encodeSafetensors: expected an object of named tensors');
  }
  for (const [k, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) throw new DescentError('BAD_ARGUMENT', `encodeSafetensors: '${k}' is not a tensor (${typeof t})`);
    if (t.isDisposed) throw new DescentError('DISPOSED', `encodeSafetensors: tensor '${k}' is disposed`);
    if (k === '__metadata__') throw new DescentError('BAD_ARGUMENT', "encodeSafetensors: '__metadata__' is reserved for the metadata");
  }
  if (metadata === undefined) return;
  if (metadata === null || typeof metadata !== 'object' || Object.values(metadata).some((v) => typeof v !== 'string')) {
    throw new DescentError('BAD_ARGUMENT', 'encodeSafetensors: metadata must be an object of strings');
  }
}

interface Entry { name: string; dtype: DType; shape: number[]; begin: number; end: number }

/** Checks the header of a safetensors buffer; errors name `source` (a file or 'buffer'). */
function parseHeader(bytes: Uint8Array, source: string): { entries: Entry[]; metadata: Metadata; dataStart: number } {
  const bad = (problem: string): DescentError => new DescentError('INVALID_DATA', `${source}: not a valid safetensors file: ${problem}`);
  if (bytes.length < 8) throw bad(`${bytes.length} bytes, expected at least the 8-byte header length`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > bytes.length) throw bad(`header length ${n} does not fit in ${bytes.length} bytes (truncated?)`);
  let header: unknown;
  try { header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n))); } catch { throw bad('the header is not UTF-8 JSON'); }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad('the header is not a JSON object');
  const { __metadata__: meta = {}, ...rest } = header as Record<string, unknown>;
  if (meta === null || typeof meta !== 'object' || Object.values(meta).some((v) => typeof v !== 'string')) throw bad('__metadata__ must map strings to strings');
  const dataLen = bytes.length - 8 - n;
  const entries = Object.entries(rest).map(([name, e]) => checkEntry(name, e, bad));
  let end = 0;
  for (const e of [...entries].sort((a, b) => a.begin - b.begin)) {
    if (e.begin !== end) throw bad(`'${e.name}' starts at byte ${e.begin}, expected ${end} (gap or overlap)`);
    end = e.end;
  }
  if (end !== dataLen) throw bad(`the tensors cover ${end} data bytes, the file has ${dataLen} (truncated or trailing bytes)`);
  return { entries, metadata: meta as Metadata, dataStart: 8 + n };
}

function checkEntry(name: string, e: unknown, bad: (p: string) => DescentError): Entry {
  const { dtype, shape, data_offsets: off } = (e ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string' || !(dtype in FROM_ST)) throw bad(`'${name}' has dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(FROM_ST).join(', ')}`);
  if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) throw bad(`'${name}' has shape ${JSON.stringify(shape)}; expected non-negative integers`);
  if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[1] < off[0]) {
    throw bad(`'${name}' has data_offsets ${JSON.stringify(off)}; expected [begin, end] with 0 ≤ begin ≤ end`);
  }
  const d = FROM_ST[dtype];
  const need = (shape as number[]).reduce((a, s) => a * s, 1) * SIZE[d];
  if (off[1] - off[0] !== need) throw bad(`'${name}' (${dtype} [${shape.join(', ')}]) needs ${need} bytes, its offsets span ${off[1] - off[0]}`);
  return { name, dtype: d, shape: shape as number[], begin: off[0], end: off[1] };
}

function readValues(b: Uint8Array, e: Entry): ArrayLike<number> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = (e.end - e.begin) / SIZE[e.dtype];
  const out = e.dtype === 'f64' ? new Float64Array(n) : e.dtype === 'i32' ? new Int32Array(n) : e.dtype === 'f32' ? new Float32Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const at = e.begin + i * SIZE[e.dtype];
    out[i] = e.dtype === 'f64' ? v.getFloat64(at, true) : e.dtype === 'f32' ? v.getFloat32(at, true)
      : e.dtype === 'i32' ? v.getInt32(at, true) : v.getUint16(at, true);
  }
  return out instanceof Uint16Array ? decode(e.dtype, out) : out;
}

/**
 * Decodes a safetensors buffer into new tensors on `device` (the default device if omitted).
 * Everything is checked before any tensor is made. `source` names the buffer in errors.
 * @example const { tensors } = decodeSafetensors(bytes); model.loadStateDict(tensors);
 */
export function decodeSafetensors(bytes: Uint8Array, opts: { device?: Device; source?: string } = {}): Decoded {
  const source = opts.source ?? 'buffer';
  if (!(bytes instanceof Uint8Array)) throw new DescentError('BAD_ARGUMENT', `decodeSafetensors: expected a Uint8Array, got ${typeof bytes}`);
  const { entries, metadata, dataStart } = parseHeader(bytes, source);
  const data = bytes.subarray(dataStart);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    tensors[e.name] = tensor(readValues(data, e) as Float32Array, { shape: e.shape, dtype: e.dtype, ...(opts.device ? { device: opts.device } : {}) });
  }
  return { tensors, metadata };
}
