#!/usr/bin/env node
// The `kdelta` command. Kept tiny so start-up loads only what a command needs.
import('../dist/cli/main.js')
  .then((m) => m.main(process.argv))
  .catch((err) => {
    process.stderr.write(`Error: ${err?.message ?? err}\n`);
    process.exit(1);
  });
