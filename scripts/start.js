#!/usr/bin/env node
// `npm start`: `kdelta serve` on the default on-disk database ($KORU_DB_PATH or ~/.korudelta/db),
// on $PORT (default 8080) and $BIND (default 127.0.0.1), with $WORKERS server processes (default 1).
// The CLI prints the URL and shuts down cleanly on SIGINT/SIGTERM; this wrapper forwards those signals.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dbPath = process.env.KORU_DB_PATH || join(homedir(), '.korudelta', 'db');
const port = String(process.env.PORT || 8080);
const bind = process.env.BIND || '127.0.0.1';
const workers = process.env.WORKERS || '1';

if (!existsSync(join(root, 'dist/cli/main.js'))) {
  process.stderr.write('Error: the package is not built; run `npm run build` first\n');
  process.exit(1);
}

// The server stays in this process group, so a signal to the group reaches it whatever becomes of
// this script. It may then hear one signal twice, directly and passed on below; `kdelta serve` takes
// a repeat within half a second as the same signal, so a second, later one still means "stop now".
const child = spawn(process.execPath, [join(root, 'bin/kdelta.js'), '-d', dbPath, 'serve', '--port', port, '--bind', bind, '--workers', workers], { stdio: 'inherit' });
let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    signalled = true;
    child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// A process manager stops `npm start` with SIGTERM to npm alone. npm passes it to the shell that runs
// this script, and a shell that does not pass it on (dash) dies and leaves this process orphaned:
// so a change of parent is taken as that SIGTERM (once), and the server is stopped as cleanly.
const parent = process.ppid;
const orphaned = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(orphaned);
  if (!signalled) child.kill('SIGTERM');
  signalled = true;
}, 500);
orphaned.unref();
