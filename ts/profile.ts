// Opt-in profiler of where a training step's time goes. startProfile() swaps every registered
// backend for a timing wrapper (and, on wasm, the runtime's kernel exports for timed copies);
// stop() puts the originals back, so code that is not being profiled runs exactly as before.
//
// Time is attributed exclusively: a clock runs for the category on top of a stack. A backend
// call pushes 'dispatch' (its JS side: validation, shape collapse, metadata, the crossing into
// wasm) and each kernel it calls pushes the call's category (gemm, elementwise, ...), so a call's
// time splits into kernel time and dispatch. The autograd engine and the DataLoader mark their
// own regions (profileRegion); a region that absorbs counts everything inside it as itself (data
// batching), one that does not lets backend calls and VJPs inside count as theirs. Whatever no
// one claims is 'ops' — the op layer, Tensor records, tidy scopes and the caller's loop. So the
// categories always add up to the wall time between start and stop.

import { DEVICES, type Backend } from './backend/backend.js';
import { getBackend, hasBackend, registerBackend } from './engine.js';
import { DescentError, check } from './errors.js';

export const PROFILE_CATEGORIES = [
  'gemm', 'elementwise', 'reduction', 'optimizer', 'indexing', 'transfer', 'allocator', 'dispatch', 'autograd', 'data', 'ops',
] as const;
export type ProfileCategory = typeof PROFILE_CATEGORIES[number];

export interface ProfileReport {
  /** Wall time between start and stop, in ms; the categories' ms add up to it. */
  totalMs: number;
  ms: Record<ProfileCategory, number>;
  /** Backend calls (each one crossing from the op layer into the device), and per primitive. */
  backendCalls: number;
  calls: Record<string, number>;
  /** Kernel calls (each one a JS → wasm crossing; 0 on devices without wasm kernels). */
  kernelCalls: number;
}

/** Kernel category of each backend primitive; alloc/free and read/write are timed whole. */
const CALL_CATEGORY: Record<string, ProfileCategory> = {
  matmul: 'gemm', matmulBiasAct: 'gemm', matmulRowSums: 'gemm', reluGrad: 'elementwise', unary: 'elementwise', binary: 'elementwise', where: 'elementwise', copy: 'elementwise', fill: 'elementwise',
  reduce: 'reduction', softmaxCrossEntropy: 'reduction', fusedUpdate: 'optimizer', newtonSchulz: 'optimizer',
  gather: 'indexing', scatterAdd: 'indexing', read: 'transfer', readAsync: 'transfer', write: 'transfer',
  alloc: 'allocator', free: 'allocator',
};
/**
 * Calls timed whole under their own category (no kernel split): the allocator and host transfers
 * run no kernels, and a GEMM's driver waits for the pool's threads, which is GEMM time.
 */
const WHOLE = new Set<ProfileCategory>(['allocator', 'transfer', 'gemm']);

interface Frame { category: ProfileCategory; absorbs: boolean }

class Session {
  readonly ms = Object.fromEntries(PROFILE_CATEGORIES.map((c) => [c, 0])) as Record<ProfileCategory, number>;
  readonly stack: Frame[] = [{ category: 'ops', absorbs: false }];
  readonly start = performance.now();
  mark = this.start;
  backendCalls = 0;
  readonly calls: Record<string, number> = {};
  kernelCalls = 0;
  /** Category of the backend call in progress (its kernels count there). */
  current: ProfileCategory = 'ops';

  enter(category: ProfileCategory, absorbs = false): void {
    const t = performance.now();
    const top = this.stack[this.stack.length - 1];
    this.ms[top.category] += t - this.mark;
    this.mark = t;
    this.stack.push(top.absorbs ? top : { category, absorbs });
  }

  leave(): void {
    const t = performance.now();
    this.ms[this.stack.pop()!.category] += t - this.mark;
    this.mark = t;
  }
}

let active: Session | null = null;

/**
 * Runs fn as a region of `category` when a profile is running (else just runs it). The autograd
 * engine and the DataLoader call this; with no profile it costs one null test.
 */
export function profileRegion<T>(category: ProfileCategory, absorbs: boolean, fn: () => T): T {
  const s = active;
  if (s === null) return fn();
  s.enter(category, absorbs);
  try {
    return fn();
  } finally {
    s.leave();
  }
}

type AnyFn = (...args: unknown[]) => unknown;

function timedBackend(b: Backend, s: Session): Backend {
  const wrapped = Object.create(b) as Record<string, unknown>;
  for (const [name, category] of Object.entries(CALL_CATEGORY)) {
    const f = (b as unknown as Record<string, unknown>)[name];
    if (typeof f !== 'function') continue;
    const whole = WHOLE.has(category);
    wrapped[name] = (...args: unknown[]) => {
      s.backendCalls++;
      s.calls[name] = (s.calls[name] ?? 0) + 1;
      const outer = s.current;
      s.current = category;
      s.enter(whole ? category : 'dispatch');
      try {
        return (f as AnyFn).apply(b, args);
      } finally {
        s.leave();
        s.current = outer;
      }
    };
  }
  return wrapped as unknown as Backend;
}

/** The wasm runtime behind a backend, when it has one (its kernels are timed one by one). */
function kernelHost(b: Backend): { exports: Record<string, unknown> } | null {
  const rt = (b as { rt?: { exports?: unknown } }).rt;
  return rt !== undefined && typeof rt.exports === 'object' && rt.exports !== null ? rt as { exports: Record<string, unknown> } : null;
}

function timedKernels(exports: Record<string, unknown>, s: Session): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(exports)) {
    out[name] = typeof f !== 'function' ? f : (...args: unknown[]) => {
      s.kernelCalls++;
      s.enter(s.current);
      try {
        return (f as AnyFn)(...args);
      } finally {
        s.leave();
      }
    };
  }
  return out;
}

export interface Profiler {
  /** Ends the profile, restores the untimed backends and returns where the time went. */
  stop(): ProfileReport;
}

/**
 * Starts timing every backend call, kernel, autograd pass and DataLoader batch until stop().
 * One profile at a time; do not call init() while one runs.
 * @example const p = startProfile(); loss.backward(); const { ms } = p.stop(); ms.gemm
 */
export function startProfile(): Profiler {
  check(active === null, 'BAD_ARGUMENT', () => 'startProfile: a profile is already running; stop() it first');
  const s = new Session();
  const restore: (() => void)[] = [];
  for (const device of DEVICES) {
    if (!hasBackend(device)) continue;
    const b = getBackend(device);
    registerBackend(timedBackend(b, s));
    restore.push(() => registerBackend(b));
    const host = kernelHost(b);
    if (host !== null) {
      const kernels = host.exports;
      host.exports = timedKernels(kernels, s);
      restore.push(() => { host.exports = kernels; });
    }
  }
  active = s;
  let stopped = false;
  return {
    stop(): ProfileReport {
      if (stopped) throw new DescentError('BAD_ARGUMENT', 'Profiler.stop: this profile was already stopped');
      stopped = true;
      s.leave(); // closes the base 'ops' frame at this instant
      active = null;
      for (const r of restore) r();
      return { totalMs: s.mark - s.start, ms: { ...s.ms }, backendCalls: s.backendCalls, calls: { ...s.calls }, kernelCalls: s.kernelCalls };
    },
  };
}
