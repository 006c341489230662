// Progress for long runs: a cli-progress bar on a TTY, plain lines otherwise (logs, CI, pipes).
// Progress goes to stderr, so stdout keeps only results (and the --json line last).

import cliProgress from 'cli-progress';

export interface Progress {
  /** Advances to `value` of `total`, with a short status such as `loss 0.41`. */
  update(value: number, status: string): void;
  /** Ends the bar and prints a final line. */
  stop(summary: string): void;
}

/** Starts a progress display labelled `label` over `total` units. */
export function startProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      format: `${label.padEnd(18)} {bar} {percentage}% | {status}`, stream, hideCursor: true, clearOnComplete: true,
      barsize: 24, fps: 10,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { status: '' });
    return {
      update: (v, status) => bar.update(v, { status }),
      stop: (summary) => { bar.stop(); stream.write(`${label.padEnd(18)} ${summary}\n`); },
    };
  }
  // Plain lines: at most about ten per run, so logs stay readable.
  let next = 0;
  return {
    update(v, status) {
      if (v < next) return;
      next = v + Math.max(1, Math.ceil(total / 10));
      stream.write(`${label} ${Math.min(v, total)}/${total} ${status}\n`);
    },
    stop: (summary) => stream.write(`${label} done: ${summary}\n`),
  };
}
