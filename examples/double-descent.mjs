// Double descent with random-feature regression (Belkin et al. 2019): ReLU features φ(x) = relu(Wx)
// of a fixed random W, the minimum-norm least-squares fit of n = 40 noisy samples, and the test
// error as the width p passes n (peak at p = n). The features come from the engine; the min-norm
// solve is a float64 Cholesky on the smaller Gram matrix (ΦᵀΦ for p < n, ΦΦᵀ for p ≥ n).
// Report: reports/double-descent.html.
//   npm run build && node examples/double-descent.mjs
import * as d from '../build/descent.node.js';
import * as viz from '../build/viz.node.js';

await d.init();
d.manualSeed(0);
const [n, dim, nTest] = [40, 10, 1000];
const beta = d.randn([dim, 1]).div(Math.sqrt(dim));
const sample = (m, noise) => { const x = d.randn([m, dim]); return [x, x.matmul(beta).add(d.randn([m, 1]).mul(noise))]; };
const [xTrain, yTrain] = sample(n, 0.2);
const [xTest, yTest] = sample(nTest, 0);
const yt = Array.from(yTest.dataSync());

function cholSolve(A, b) { // A symmetric positive definite, b a vector; tiny jitter for the p = n case
  const m = b.length, L = A.map((r) => r.slice());
  for (let i = 0; i < m; i++) L[i][i] += 1e-10 * (1 + A[i][i]);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) L[j][j] -= L[j][k] ** 2;
    L[j][j] = Math.sqrt(L[j][j]);
    for (let i = j + 1; i < m; i++) { for (let k = 0; k < j; k++) L[i][j] -= L[i][k] * L[j][k]; L[i][j] /= L[j][j]; }
  }
  const z = new Array(m).fill(0), x = new Array(m).fill(0);
  for (let i = 0; i < m; i++) { let s = b[i]; for (let k = 0; k < i; k++) s -= L[i][k] * z[k]; z[i] = s / L[i][i]; }
  for (let i = m - 1; i >= 0; i--) { let s = z[i]; for (let k = i + 1; k < m; k++) s -= L[k][i] * x[k]; x[i] = s / L[i][i]; }
  return x;
}
const rows = (t) => t.toArray();
const mm = (A, B) => A.map((r) => B[0].map((_, j) => r.reduce((s, a, k) => s + a * B[k][j], 0)));
const T = (A) => A[0].map((_, j) => A.map((r) => r[j]));

const setup = `random ReLU features, n = ${n} training points in ${dim} dimensions (noise 0.2), test on ${nTest}; mean over 5 feature draws`;
const table = { columns: ['width p', 'p/n', 'train MSE', 'test MSE'], rows: [] };
const curves = [];
for (const p of [5, 10, 20, 30, 36, 40, 44, 50, 80, 160, 400, 1000]) {
  let [tr, te] = [0, 0];
  for (let rep = 0; rep < 5; rep++) {
    const W = d.randn([dim, p]).div(Math.sqrt(dim));
    const F = rows(xTrain.matmul(W).relu()), Ft = rows(xTest.matmul(W).relu());
    const y = rows(yTrain).map((r) => r[0]);
    let a;
    if (p < n) a = cholSolve(mm(T(F), F), T(F).map((r) => r.reduce((s, v, i) => s + v * y[i], 0)));
    else { const c = cholSolve(mm(F, T(F)), y); a = T(F).map((r) => r.reduce((s, v, i) => s + v * c[i], 0)); }
    const pred = (M) => M.map((r) => r.reduce((s, v, j) => s + v * a[j], 0));
    tr += pred(F).reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / n / 5;
    te += pred(Ft).reduce((s, v, i) => s + (v - yt[i]) ** 2, 0) / nTest / 5;
    W.dispose();
  }
  table.rows.push([p, (p / n).toFixed(2), tr.toExponential(2), te.toExponential(2)]);
  curves.push({ series: 'train (floored at 1e-8)', x: p / n, y: Math.max(tr, 1e-8) }, { series: 'test', x: p / n, y: te }); // log axis: an exact fit shows at the floor
}
console.log(`${setup}\n${viz.markdownTable(table)}`);
await viz.writeReport(viz.reportPath('double-descent'), { title: 'Double descent of random-feature regression', subtitle: setup, sections: [
  { heading: 'Error against width (interpolation threshold at p/n = 1)', table,
    charts: [viz.lineChart('Minimum-norm least squares: train and test MSE', curves, { x: 'p / n', y: 'MSE', logX: true, logY: true })] },
] });
