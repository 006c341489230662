// Dolan–Moré performance profiles (Dolan & Moré, "Benchmarking optimization software with
// performance profiles", 2002): with t(s, p) the time of solver s on problem p (null = not
// solved), r(s, p) = t(s, p) / min over s' of t(s', p), and ρ_s(τ) = |{p : r(s, p) ≤ τ}| / |P|.

export interface ProfileCurve { optimizer: string; points: { tau: number; fraction: number }[] }

/** The step function ρ_s(τ) of each solver, as its jump points (τ ascending, starting at τ = 1). */
export function performanceProfile(solvers: string[], problems: string[], time: (s: string, p: string) => number | null): ProfileCurve[] {
  const best = new Map(problems.map((p) => {
    const ts = solvers.map((s) => time(s, p)).filter((t): t is number => t !== null);
    return [p, ts.length ? Math.min(...ts) : null];
  }));
  return solvers.map((s) => {
    const ratios = problems.flatMap((p) => {
      const t = time(s, p), b = best.get(p);
      return t === null || b === null || b === undefined ? [] : [b > 0 ? t / b : 1];
    }).sort((a, b) => a - b);
    const points = ratios.map((tau, i) => ({ tau, fraction: (i + 1) / problems.length }))
      .filter((q, i, all) => i === all.length - 1 || all[i + 1].tau !== q.tau);
    return { optimizer: s, points };
  });
}

/** Chart points of the profiles as steps from τ = 1 (ρ at 1, often 0) to a common right edge. */
export function profileSteps(curves: ProfileCurve[]): { series: string; x: number; y: number }[] {
  const tauMax = Math.max(2, ...curves.flatMap((c) => c.points.map((p) => p.tau))) * 1.25;
  return curves.flatMap((c) => {
    const at1 = c.points.find((p) => p.tau === 1)?.fraction ?? 0;
    const rest = c.points.filter((p) => p.tau > 1);
    const last = rest.at(-1)?.fraction ?? at1;
    return [{ tau: 1, fraction: at1 }, ...rest, { tau: tauMax, fraction: last }].map((p) => ({ series: c.optimizer, x: p.tau, y: p.fraction }));
  });
}
