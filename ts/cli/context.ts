// What every command shares: engine options (--threads, --deterministic, --device), starting the
// engine, printing the --json line, and turning bad input into one stderr line and exit code 2.

import { Command, Option } from 'commander';
import * as d from '../index.js';
import { numberArg, UsageError } from './args.js';

export interface EngineOptions { threads?: number; deterministic?: boolean; device?: 'wasm' | 'reference' }

export interface CommandContext {
  /** Runs a command body: prints its result as JSON when `json`, maps errors to exit codes. */
  run(body: () => Promise<unknown>, o: { json?: boolean }): Promise<void>;
}

/** Adds --threads, --deterministic and --device to a command. */
export function engineOptions(c: Command): Command {
  return c
    .option('--threads <n>', 'GEMM worker threads (default: the core count)', numberArg('--threads', { min: 1, max: 64, int: true }))
    .option('--deterministic', 'plain multiply-add kernels, bit-identical on every machine (default: relaxed-SIMD FMA where the runtime has it)')
    .addOption(new Option('--device <name>', 'device').choices(['wasm', 'reference']).default('wasm'));
}

/** Starts the engine: FMA kernels unless --deterministic (the library's own default is deterministic). */
export async function startEngine(o: EngineOptions): Promise<string> {
  await d.init({ device: o.device ?? 'wasm', threads: o.threads, deterministic: o.deterministic === true });
  const info = d.backendInfo()!;
  const kernels = info.deterministic ? 'deterministic multiply-add' : info.relaxedSimd ? 'relaxed-SIMD FMA' : 'multiply-add (no relaxed SIMD here)';
  return `device ${o.device ?? 'wasm'}, ${info.build} build, ${kernels}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}

export function makeContext(name: () => string): CommandContext {
  return {
    async run(body, o) {
      try {
        const result = await body();
        if (o.json) console.log(JSON.stringify(result));
      } catch (e) {
        if (e instanceof UsageError || e instanceof d.DescentError) {
          process.stderr.write(`descent ${name()}: ${e.message.split('\n')[0]}\n`);
          process.exitCode = 2;
        } else {
          process.stderr.write(`descent ${name()}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
          if (process.env.DESCENT_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
          process.exitCode = 1;
        }
      }
    },
  };
}
