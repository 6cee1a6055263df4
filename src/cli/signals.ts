/**
 * Runs `stop` on the first SIGINT or SIGTERM so a long-running command can end cleanly (exit 0); a
 * second signal exits at once. Returns a function that removes the handlers.
 */
export function onShutdown(stop: () => void | Promise<void>): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopping = true;
    void stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
