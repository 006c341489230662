// Checks a loaded per-parameter optimizer state against the state this optimizer would create for
// that parameter (its transformation's init), so a state dict from another model (other shapes)
// or another optimizer (other keys) fails at load with a message naming the offending entry,
// instead of as a broadcasting error, or a silent mis-step, at the next step(). Floating tensors
// of another dtype are cast to the expected one, as torch's load_state_dict casts state to the
// parameter's dtype.

import { DescentError } from '../errors.js';
import { isFloat } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { castTo } from '../ops/util.js';
import type { ParamState, StateValue } from './transform.js';

const describe = (v: StateValue | undefined): string =>
  v === undefined ? 'nothing' : v === null ? 'null' : typeof v === 'number' ? `the number ${v}`
    : v instanceof Tensor ? `a tensor [${v.shape.join(', ')}] (${v.dtype})` : 'a nested state';

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((n, i) => n === b[i]);

/**
 * Returns `loaded` with every tensor conforming to `template` (same keys; same shape, cast to the
 * same dtype). A null slot of the template (a buffer created lazily: a momentum buffer, a root)
 * accepts null or a tensor shaped like the parameter or like a sibling tensor of the template.
 * Everything is checked before anything is cast, so on a mismatch (BAD_ARGUMENT naming the path)
 * `loaded` is untouched; tensors replaced by a cast are disposed.
 */
export function conformState(loaded: ParamState, template: ParamState, param: Tensor, where: string): ParamState {
  visit(loaded, template, param, where, false);
  return visit(loaded, template, param, where, true);
}

function visit(loaded: ParamState, template: ParamState, param: Tensor, where: string, cast: boolean): ParamState {
  const lk = Object.keys(loaded), tk = Object.keys(template);
  const missing = tk.filter((k) => !(k in loaded)), unexpected = lk.filter((k) => !(k in template));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new DescentError('BAD_ARGUMENT', `${where}: state keys differ from this optimizer's: missing [${missing.join(', ')}], `
      + `unexpected [${unexpected.join(', ')}] (a state dict from another optimizer?)`);
  }
  const siblings = Object.values(template).filter((v): v is Tensor => v instanceof Tensor);
  const out: ParamState = {};
  for (const k of tk) {
    const t = template[k], v = loaded[k], at = `${where}.${k}`;
    const bad = (want: string): never => {
      throw new DescentError('BAD_ARGUMENT', `${at}: expected ${want}, got ${describe(v)}`);
    };
    if (typeof t === 'number') {
      // a step counter drives bias corrections: NaN or −1 would poison every later update
      if (k === 'step' && !(Number.isInteger(v) && (v as number) >= 0)) bad('a step count (an integer ≥ 0)');
      if (typeof v !== 'number') bad('a number');
      out[k] = v;
    } else if (t === null && v === null) {
      out[k] = null;
    } else if (t instanceof Tensor || t === null) {
      if (!(v instanceof Tensor)) return bad(t === null ? 'null or a tensor' : describe(t));
      const want = t ?? param;
      const okShape = t !== null ? sameShape(v.shape, t.shape) : [param, ...siblings].some((s) => sameShape(v.shape, s.shape));
      if (!okShape) bad(t !== null ? describe(t) : `null or a tensor shaped like the parameter [${param.shape.join(', ')}]`);
      if (v.dtype !== want.dtype && !(isFloat(v.dtype) && isFloat(want.dtype))) bad(describe(want));
      out[k] = v;
      if (cast && v.dtype !== want.dtype) {
        out[k] = castTo(v, want.dtype);
        v.dispose();
      }
    } else {
      if (v === null || typeof v !== 'object' || v instanceof Tensor) bad('a nested state');
      out[k] = visit(v as ParamState, t, param, at, cast);
    }
  }
  return out;
}
