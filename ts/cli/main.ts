// `descent`: the command-line entry (train, race, toy, landscape). Node 20 hides relaxed SIMD
// behind a V8 flag; setting it here, before any wasm is compiled, gives the CLI the FMA build
// however it was started (npx descent, node build/cli.js, npm start) without a re-exec.

import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError } from 'commander';
import { makeContext } from './context.js';
import { toyCommand } from './toy.js';
import { trainCommand } from './train.js';
import { raceCommand } from './race.js';
import { landscapeCommand } from './landscape.js';

if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');

const program = new Command('descent')
  .description('descent: train models, race optimizers, and draw optimization pictures (see --help of each command)')
  .showSuggestionAfterError()
  .exitOverride();

let current = 'descent';
const ctx = makeContext(() => current);
for (const c of [trainCommand(ctx), raceCommand(ctx), toyCommand(ctx), landscapeCommand(ctx)]) {
  c.exitOverride().hook('preAction', () => { current = c.name(); });
  program.addCommand(c);
}

try {
  if (process.argv.length <= 2) {
    program.outputHelp();
  } else {
    await program.parseAsync(process.argv);
  }
} catch (e) {
  // commander has already printed its one-line message (or the help); map its exit to ours.
  if (!(e instanceof CommanderError)) throw e;
  process.exitCode = e.exitCode === 0 ? 0 : 2;
}
