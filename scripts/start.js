#!/usr/bin/env node
// `npm start`: the HTTP server on the default on-disk database ($KORU_DB_PATH or ~/.korudelta/db),
// on $PORT (default 8080). Uses `kdelta serve` when the CLI is built, else the server module directly.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dbPath = process.env.KORU_DB_PATH || join(homedir(), '.korudelta', 'db');
const port = Number(process.env.PORT || 8080);
const bind = process.env.BIND || '127.0.0.1';

if (!existsSync(join(root, 'dist/server/index.js'))) {
  process.stderr.write('Error: the package is not built; run `npm run build` first\n');
  process.exit(1);
}

if (existsSync(join(root, 'dist/cli/main.js'))) {
  // The CLI prints the URL and handles SIGINT/SIGTERM; forward signals so it shuts down cleanly.
  const child = spawn(process.execPath, [join(root, 'bin/kdelta.js'), '-d', dbPath, 'serve', '--port', String(port), '--bind', bind], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const { serve } = await import('../dist/server/index.js');
  let server;
  try {
    server = await serve({ dbPath, port, bind });
  } catch (err) {
    process.stderr.write(`Error: cannot listen on ${bind}:${port}: ${err.code ?? err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`Listening on ${server.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close().then(() => process.exit(0), (err) => {
      process.stderr.write(`Error: ${err.message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
