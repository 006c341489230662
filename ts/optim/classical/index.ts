// The course's methods: lecture forms of momentum, projected and proximal gradient (ISTA/FISTA),
// zeroth-order estimators (two-point, SPSA, MeZO-style), block-coordinate descent and SVRG.

export { HeavyBall, NesterovLookahead, heavyBall, nesterovLookahead, type MomentumLectureOptions } from './momentum.js';
export { ProjectedGradientDescent, projectBox, projectL2Ball, projectSimplex, projectNonNegative, type Projection } from './projections.js';
export { ProximalGradient, softThreshold, proxElasticNet, proxGroupLasso, prox, type ProxKind, type ProximalGradientOptions } from './proximal.js';
export { ZerothOrder, type ZerothOrderOptions } from './zeroth-order.js';
export { BlockCoordinateDescent, type BlockCoordinateOptions } from './block-coordinate.js';
export { SVRG, type GradFn } from './svrg.js';
