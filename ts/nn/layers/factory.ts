// Shared constructor plumbing of the layers: the {dtype, device} factory options (torch's
// factory_kwargs) and fresh parameter/buffer tensors that initializers then fill in place.

import type { Device } from '../../backend/backend.js';
import { type DType, checkDType, isFloat } from '../../dtype.js';
import { getDefaultDevice } from '../../engine.js';
import { check, checkOptions } from '../../errors.js';
import { zeros } from '../../ops/creation.js';
import type { Tensor } from '../../tensor.js';

export interface FactoryOptions { dtype?: DType; device?: Device }
export const FACTORY_KEYS = ['dtype', 'device'] as const;

export interface Factory { dtype: DType; device: Device }

/** Validates a layer's options (its own keys plus dtype/device) and resolves the factory part. */
export function factory(where: string, opts: (FactoryOptions & object) | undefined, keys: readonly string[]): Factory {
  checkOptions(where, opts, [...keys, ...FACTORY_KEYS]);
  const dtype = opts?.dtype === undefined ? 'f32' : checkDType(opts.dtype, where);
  check(isFloat(dtype), 'BAD_DTYPE', () => `${where}: parameters must be floating point, got dtype ${dtype}`);
  return { dtype, device: opts?.device ?? getDefaultDevice() };
}

/** A zero tensor with the layer's dtype and device (initializers overwrite it). */
export const blank = (shape: readonly number[], f: Factory): Tensor => zeros(shape, { dtype: f.dtype, device: f.device });

export function bool(where: string, name: string, v: unknown, dflt: boolean): boolean {
  const b = v ?? dflt;
  check(typeof b === 'boolean', 'BAD_OPTION', () => `${where}: ${name} must be a boolean, got ${String(v)}`);
  return b;
}

export function positive(where: string, name: string, v: unknown): number {
  check(Number.isInteger(v) && (v as number) > 0, 'BAD_ARGUMENT', () => `${where}: ${name} must be a positive integer, got ${String(v)}`);
  return v as number;
}
