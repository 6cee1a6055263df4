/** Signals that ask a long-running command to stop. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * A second signal this soon after the first is the same one arriving twice, not a second request:
 * Ctrl-C signals a terminal's whole foreground group, so a command run through a wrapper that
 * passes signals on (`npm start`) hears it directly and again from the wrapper.
 */
const REPEAT_MS = 500;

/**
 * Runs `stop` on the first SIGINT, SIGTERM or SIGHUP so a long-running command can end cleanly
 * (exit 0); a second signal, from half a second after the first, exits at once. Returns a function
 * that removes the handlers.
 */
export function onShutdown(stop: () => void | Promise<void>): () => void {
  let firstAt: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (performance.now() - firstAt < REPEAT_MS) return;
      process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);
    }
    firstAt = performance.now();
    void stop();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handler);
  };
}
