// Runtime feature detection with tiny WebAssembly.validate probes, done once per process.
// Each probe is a hand-assembled module with one function () → v128 using the feature's opcode.

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const TYPE_V128 = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b]; // type section: () → v128
const ONE_FUNC = [0x03, 0x02, 0x01, 0x00];
const SPLAT0 = [0x41, 0x00, 0xfd, 0x11]; // i32.const 0; i32x4.splat

function probe(body: number[]): Uint8Array<ArrayBuffer> {
  const fn = [0x00, ...body, 0x0b]; // no locals, body, end
  const code = [0x01, fn.length, ...fn];
  return new Uint8Array([...HEADER, ...TYPE_V128, ...ONE_FUNC, 0x0a, code.length, ...code]);
}

/** i32x4.splat: fixed-width SIMD (required). */
export const SIMD_PROBE = probe(SPLAT0);
/** f32x4.relaxed_madd (0xfd 0x105) on three splats: relaxed SIMD. */
export const RELAXED_PROBE = probe([...SPLAT0, ...SPLAT0, ...SPLAT0, 0xfd, 0x85, 0x02]);

export interface Features {
  simd: boolean;
  relaxedSimd: boolean;
  sharedMemory: boolean;
}

let cached: Features | null = null;

function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

export function detectFeatures(): Features {
  if (cached) return cached;
  const wasm = typeof WebAssembly === 'object';
  cached = {
    simd: wasm && WebAssembly.validate(SIMD_PROBE),
    relaxedSimd: wasm && WebAssembly.validate(RELAXED_PROBE),
    sharedMemory: wasm && canShareMemory(),
  };
  return cached;
}
