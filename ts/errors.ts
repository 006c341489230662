// DescentError: the one error type users see. `code` is stable and machine-readable; the
// message always says what was expected and what came.

export type ErrorCode =
  | 'SHAPE_MISMATCH' | 'BAD_AXIS' | 'BAD_DTYPE' | 'DEVICE_MISMATCH' | 'DISPOSED'
  | 'INVALID_DATA' | 'INDEX_OUT_OF_RANGE' | 'BAD_OPTION' | 'BAD_ARGUMENT' | 'NOT_INITIALIZED'
  | 'UNSUPPORTED' | 'OUT_OF_MEMORY' | 'AUTOGRAD' | 'BAD_STATE' | 'DEVICE_LOST';

export class DescentError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'DescentError';
    this.code = code;
  }
}

/** Throws a DescentError unless `cond` holds; `message` is built lazily. */
export function check(cond: unknown, code: ErrorCode, message: () => string): asserts cond {
  if (!cond) throw new DescentError(code, message());
}

export const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Rejects option names that `allowed` does not list (the peer libraries silently ignore typos). */
export function checkOptions(where: string, opts: object | undefined, allowed: readonly string[]): void {
  if (opts === undefined || opts === null) return;
  check(typeof opts === 'object', 'BAD_OPTION', () => `${where}: expected an options object, got ${typeof opts}`);
  for (const k of Object.keys(opts)) {
    check(allowed.includes(k), 'BAD_OPTION',
      () => `${where}: unknown option '${k}'; expected one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
}
