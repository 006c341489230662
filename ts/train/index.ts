// Training: fit (loop, metrics, schedulers, clipping, early stopping, callbacks, checkpoints and
// resume) and evaluate.

export { fit, type FitResult, type StopReason } from './fit.js';
export { evaluate } from './evaluate.js';
export type { FitOptions, EpochLog, BatchInfo, Callback, EarlyStopping, Metric, LossFn, Scheduler } from './options.js';
