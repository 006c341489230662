// Row sums of an f32 block into f64 accumulators, scalar reference. The GEMM driver runs it on
// each A block it packs (or reads in place) so that gᵀ·x also yields Σ_batch g, a bias gradient,
// without a second pass over g. f64 accumulation in k order, rounded once by the caller: the
// order and arithmetic of f32_reduce's sums, so the same bits as sum(g, 0).

/**
 * acc[i] ← acc[i] + Σ_{p<k} src[i·rs + p·cs] for i < m, adding in p order in f64 (one block of a
 * sum over k: calling it on consecutive k blocks in order sums the whole row sequentially).
 * src: byte pointer to f32, rs/cs strides in ELEMENTS; acc: byte pointer to m f64 (no alignment).
 */
export function f32_rowsum_scalar(m: i32, k: i32, src: usize, rs: i32, cs: i32, acc: usize): void {
  const rsB = <usize>rs << 2, csB = <usize>cs << 2;
  for (let i = 0; i < m; i++) {
    let s = load<f64>(acc + (<usize>i << 3)), x = src + <usize>i * rsB;
    for (let p = 0; p < k; p++) { s += <f64>load<f32>(x); x += csB; }
    store<f64>(acc + (<usize>i << 3), s);
  }
}
