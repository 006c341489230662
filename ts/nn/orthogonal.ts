// The orthogonal factor of a Gaussian matrix, for init.orthogonal. Modified Gram–Schmidt with one
// re-orthogonalization pass ("twice is enough", Giraud et al. 2005) in f64 gives the Q of a QR
// whose R has a positive diagonal, which is what torch gets from Householder QR times sign(diag R).

/** rows×cols row-major matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols). */
export function orthogonalMatrix(rows: number, cols: number, gaussian: Float64Array): Float64Array {
  const tall = rows >= cols;
  const m = tall ? rows : cols; // vectors of length m
  const n = tall ? cols : rows; // n of them, orthonormalized
  // vec[j][i]: column j of the tall matrix (for wide inputs, torch transposes first).
  const vec = Array.from({ length: n }, (_, j) => Float64Array.from({ length: m }, (_, i) =>
    (tall ? gaussian[i * cols + j] : gaussian[j * cols + i])));
  for (let j = 0; j < n; j++) {
    const v = vec[j];
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += vec[k][i] * v[i];
        for (let i = 0; i < m; i++) v[i] -= dot * vec[k][i];
      }
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += v[i] * v[i];
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < m; i++) v[i] = nrm > 0 ? v[i] / nrm : 0;
  }
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) out[tall ? i * cols + j : j * cols + i] = vec[j][i];
  }
  return out;
}
