/** A progress bar on stderr, or nothing when stderr is not a terminal or the run is short. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

/** Shows a bar only for a terminal and at least `minTotal` units (cli-progress is loaded only then). */
export async function createProgress(label: string, total: number, unit: string, minTotal = 10_000): Promise<Progress> {
  if (!process.stderr.isTTY || total < minTotal) return NONE;
  const { default: progress } = await import('cli-progress');
  const bar = new progress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
    progress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let last = 0;
  return {
    update(done: number) {
      // Redrawing costs more than a record; cli-progress throttles, but skip the call itself too.
      if (done - last >= total / 1000) {
        last = done;
        bar.update(Math.min(done, total));
      }
    },
    stop() {
      bar.update(Math.min(last, total));
      bar.stop();
    },
  };
}
