// The optimizer registry of the CLI and the toy runner: every optimizer of `optim` by a short
// name, its learning-rate grid for races, and the `name:key=value:key=value` spec parser.
// Specs only name options; the optimizer's own schema validates them (DescentError on bad ones).

import * as d from '../index.js';

type Options = Record<string, number | boolean | string>;
type Make = (params: d.Tensor[], opts: Options) => d.optim.Optimizer;

/** One registry entry: how to build it, the lr grid a race tries, and whether step() needs a closure. */
export interface OptimizerEntry {
  make: Make;
  /** Learning rates a race tries when none is given (best by final validation accuracy). */
  grid: number[];
  /**
   * Toy step size: the toy function's base lr for this kind of method times `mult`. Gradient
   * methods step by lr·‖g‖ and adaptive/sign methods by about lr, so each needs its own base;
   * 'fixed' is `mult` itself (LBFGS's line search sets its own step).
   */
  toy: { kind: 'gd' | 'adaptive' | 'fixed'; mult: number };
  /** LBFGS and zeroth-order methods re-evaluate the loss inside step(). */
  closure?: boolean;
  about: string;
}

const { optim } = d;
const sgdGrid = [0.3, 0.1, 0.03];
const momentumGrid = [0.1, 0.03, 0.01];
const adamGrid = [3e-3, 1e-3, 3e-4];
const G = (mult: number) => ({ kind: 'gd' as const, mult });
const A = (mult: number) => ({ kind: 'adaptive' as const, mult });

/**
 * Muon only takes matrices: hidden weights go to Muon and the rest (biases, and the last matrix,
 * the output head, when there are several) to Adam, as the reference does.
 */
function muon(params: d.Tensor[], opts: Options): d.optim.Optimizer {
  const matrices = params.filter((p) => p.ndim >= 2);
  const { muon: hidden, adam } = optim.splitForMuon(params, matrices.length > 1 ? [matrices[matrices.length - 1]] : []);
  if (adam.length === 0) return new optim.Muon(hidden, opts);
  return new optim.MuonWithAuxAdam([{ params: hidden, useMuon: true, ...opts }, { params: adam, useMuon: false, lr: 1e-3 }]);
}

export const OPTIMIZERS: Record<string, OptimizerEntry> = {
  sgd: { make: (p, o) => new optim.SGD(p, o), grid: sgdGrid, toy: G(1), about: 'plain gradient descent' },
  gd: { make: (p, o) => new optim.SGD(p, o), grid: sgdGrid, toy: G(1), about: 'alias of sgd' },
  momentum: { make: (p, o) => new optim.SGD(p, { momentum: 0.9, ...o }), grid: momentumGrid, toy: G(0.2), about: 'SGD, momentum 0.9 (torch form)' },
  nesterov: { make: (p, o) => new optim.SGD(p, { momentum: 0.9, nesterov: true, ...o }), grid: momentumGrid, toy: G(0.2), about: 'SGD, Nesterov momentum 0.9' },
  heavyball: { make: (p, o) => new optim.HeavyBall(p, o), grid: momentumGrid, toy: G(0.2), about: 'lecture heavy-ball momentum' },
  'nesterov-lookahead': { make: (p, o) => new optim.NesterovLookahead(p, o), grid: momentumGrid, toy: G(0.2), about: 'lecture look-ahead Nesterov' },
  adagrad: { make: (p, o) => new optim.Adagrad(p, o), grid: [0.1, 0.03, 0.01], toy: A(5), about: 'Adagrad' },
  rmsprop: { make: (p, o) => new optim.RMSprop(p, o), grid: [3e-3, 1e-3, 3e-4], toy: A(0.2), about: 'RMSprop' },
  adadelta: { make: (p, o) => new optim.Adadelta(p, o), grid: [3, 1, 0.3], toy: A(100), about: 'Adadelta' },
  adam: { make: (p, o) => new optim.Adam(p, o), grid: adamGrid, toy: A(1), about: 'Adam' },
  adamw: { make: (p, o) => new optim.AdamW(p, o), grid: adamGrid, toy: A(1), about: 'AdamW (decoupled weight decay 0.01)' },
  nadam: { make: (p, o) => new optim.NAdam(p, o), grid: adamGrid, toy: A(1), about: 'NAdam' },
  radam: { make: (p, o) => new optim.RAdam(p, o), grid: adamGrid, toy: A(1), about: 'RAdam' },
  adamax: { make: (p, o) => new optim.Adamax(p, o), grid: [6e-3, 2e-3, 6e-4], toy: A(1), about: 'Adamax' },
  lion: { make: (p, o) => new optim.Lion(p, o), grid: [3e-4, 1e-4, 3e-5], toy: A(1), about: 'Lion (sign of interpolated momentum)' },
  signsgd: { make: (p, o) => new optim.SignSGD(p, o), grid: [1e-3, 3e-4, 1e-4], toy: A(0.5), about: 'signSGD' },
  signum: { make: (p, o) => new optim.Signum(p, o), grid: [1e-3, 3e-4, 1e-4], toy: A(0.5), about: 'Signum (sign of momentum)' },
  muon: { make: muon, grid: [0.05, 0.02, 0.01], toy: A(1), about: 'Muon on hidden matrices, Adam on the rest' },
  shampoo: { make: (p, o) => new optim.Shampoo(p, o), grid: [0.03, 0.01, 3e-3], toy: A(1), about: 'Shampoo (Adam grafting)' },
  lbfgs: { make: (p, o) => new optim.LBFGS(p, { lineSearchFn: 'strong_wolfe', ...o }), grid: [1], toy: { kind: 'fixed', mult: 1 }, closure: true, about: 'L-BFGS, strong-Wolfe line search' },
  ista: { make: (p, o) => new optim.ProximalGradient(p, o), grid: sgdGrid, toy: G(1), about: 'proximal gradient (no penalty unless l1/l2 given)' },
  fista: { make: (p, o) => new optim.ProximalGradient(p, { accelerated: true, ...o }), grid: momentumGrid, toy: G(0.5), about: 'accelerated proximal gradient' },
  'zeroth-order': { make: (p, o) => new optim.ZerothOrder(p, o), grid: [1e-3, 3e-4], toy: G(1), closure: true, about: 'two-point zeroth-order (MeZO-style)' },
  'block-coordinate': { make: (p, o) => new optim.BlockCoordinateDescent(p.map((t) => ({ params: [t] })), o), grid: sgdGrid, toy: G(1), about: 'block-coordinate descent, one tensor per block' },
};

/** The toy step size of an optimizer on a function with base rates `base`. */
export function toyLr(name: string, base: { gd: number; adaptive: number }): number {
  const t = OPTIMIZERS[name].toy;
  return t.kind === 'fixed' ? t.mult : base[t.kind] * t.mult;
}

/** A parsed `name:key=value:...` spec. */
export interface OptimizerSpec { name: string; options: Options }

function usage(what: string): d.DescentError {
  return new d.DescentError('BAD_OPTION', what);
}

function parseValue(name: string, key: string, raw: string): number | boolean | string {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const n = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(n)) return n;
  if (/^[a-z_]+$/i.test(raw)) return raw;
  throw usage(`optimizer '${name}': option ${key} expects a number, true/false or a word, got '${raw}'`);
}

/** Parses `adam:lr=3e-3:weightDecay=0.01` (one entry of a comma-separated --optimizers list). */
export function parseOptimizerSpec(spec: string): OptimizerSpec {
  const [name, ...pairs] = spec.trim().split(':');
  if (!Object.hasOwn(OPTIMIZERS, name)) {
    throw usage(`unknown optimizer '${name}'; expected one of ${Object.keys(OPTIMIZERS).join(', ')}`);
  }
  const options: Options = {};
  for (const pair of pairs) {
    const m = /^([A-Za-z]\w*)=(.+)$/.exec(pair);
    if (!m) throw usage(`optimizer '${name}': expected key=value after ':', got '${pair}'`);
    options[m[1]] = parseValue(name, m[1], m[2]);
  }
  return { name, options };
}

/** Parses a comma-separated list of specs; rejects an empty list and repeated specs. */
export function parseOptimizerList(list: string): OptimizerSpec[] {
  const specs = list.split(',').filter((s) => s.trim() !== '').map(parseOptimizerSpec);
  if (specs.length === 0) throw usage(`expected a comma-separated list of optimizers, got '${list}'`);
  return specs;
}

/** A spec as it was written (for tables and legends). */
export function specLabel(s: OptimizerSpec): string {
  return [s.name, ...Object.entries(s.options).map(([k, v]) => `${k}=${v}`)].join(':');
}

/** Builds the optimizer of a spec over `params` (its options override `defaults`). */
export function makeOptimizer(s: OptimizerSpec, params: d.Tensor[], defaults: Options = {}): d.optim.Optimizer {
  return OPTIMIZERS[s.name].make(params, { ...defaults, ...s.options });
}
