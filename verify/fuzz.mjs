// The fuzz suite (test/fuzz.test.ts) at length: `npm run verify -- fuzz [runs] [seeds...]`
// (default 20000 runs for each of the seeds 1, 2, 3). Returns false when a run fails.
import { spawnSync } from 'node:child_process';

export default function fuzz(args) {
  const [runs = '20000', ...seeds] = args;
  for (const seed of seeds.length > 0 ? seeds : ['1', '2', '3']) {
    console.log(`fuzz: ${runs} runs, seed ${seed}`);
    const r = spawnSync('npx', ['vitest', 'run', 'test/fuzz.test.ts'], {
      stdio: 'inherit', env: { ...process.env, FUZZ_RUNS: runs, FUZZ_SEED: seed },
    });
    if (r.status !== 0) return false;
  }
  return true;
}
