// The everyday ops of issue 8 in one import: ordering, scans, masks, triangles, diagonals,
// einsum and grids (each family lives in its own file).

export { sort, argsort, topk } from './sort.js';
export type { SortOptions, TopkOptions, Sorted } from './sort.js';
export { cumsum, cumprod } from './cumulative.js';
export { softplus, logSigmoid } from './softplus.js';
export type { SoftplusOptions } from './softplus.js';
export { maskedFill } from './masked-fill.js';
export { tril, triu } from './triangular.js';
export { diag, diagonal } from './diagonal.js';
export { einsum, outer } from './einsum.js';
export { meshgrid } from './meshgrid.js';
export type { MeshgridOptions } from './meshgrid.js';
export { oneHot } from './one-hot.js';
export { randperm } from './randperm.js';
