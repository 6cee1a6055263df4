import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const loggerModule = fileURLToPath(new URL('../../../src/server/logger.ts', import.meta.url));

/** Runs `body` in a child process (logs go to its stderr) and returns the JSON lines it wrote. */
function logged(body: string, env: NodeJS.ProcessEnv = {}): string[] {
  const script = `import { createLogger, fixedRequestLineWriter, requestLineWriter } from ${JSON.stringify(loggerModule)};\n${body}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr.split('\n').filter(Boolean);
}

describe('request log lines', () => {
  it('are byte for byte what pino writes for the same fields, for plain and worker loggers', () => {
    const lines = logged(`
      for (const logger of [createLogger('info'), createLogger('info', { worker: 3 })]) {
        const line = requestLineWriter(logger);
        for (const [id, method, route, status, ms] of [['req-1', 'GET', '/api/v1/:ns/:key', 200, 0.03], ['tr"ace\\\\é', 'PUT', '(unmatched)', 404, 12]]) {
          line(id, method, route, status, ms);
          fixedRequestLineWriter(logger, method, route, status)(id, ms);
          logger.info({ reqId: id, method, route, status, durationMs: ms }, 'request');
        }
        logger.flush();
      }
    `);
    // Two loggers are two asynchronous destinations, so only each one's own lines keep their order.
    const noTime = lines.map((l) => l.replace(/"time":\d+/, '"time":0')).sort();
    assert.equal(noTime.length, 12);
    for (let i = 0; i < 12; i += 3) assert.ok(noTime[i] === noTime[i + 1] && noTime[i] === noTime[i + 2], noTime.slice(i, i + 3).join('\n'));
    assert.equal(new Set(noTime).size, 4);
    assert.equal(lines.filter((l) => JSON.parse(l).worker === 3).length, 6);
    assert.equal(lines.filter((l) => JSON.parse(l).reqId === 'tr"ace\\é').length, 6);
  });

  it('follow the level: nothing below info', () => {
    const lines = logged(`
      const logger = createLogger('warn');
      requestLineWriter(logger)('req-1', 'GET', '/health', 200, 1);
      logger.level = 'info';
      requestLineWriter(logger)('req-2', 'GET', '/health', 200, 1);
      logger.flush();
    `);
    assert.deepEqual(lines.map((l) => JSON.parse(l).reqId), ['req-2']);
  });

  it('are all written when the process exits right after them', () => {
    const lines = logged(`
      const line = requestLineWriter(createLogger('info'));
      for (let i = 0; i < 1000; i++) line('req-' + i, 'GET', '/api/v1/:ns/:key', 200, 0.1);
      process.exit(0);
    `);
    assert.deepEqual(lines.map((l) => JSON.parse(l).reqId), Array.from({ length: 1000 }, (_, i) => `req-${i}`));
  });

  it('reach stderr while the process runs, without a flush', async () => {
    const script = `import { createLogger, requestLineWriter } from ${JSON.stringify(loggerModule)};
      requestLineWriter(createLogger('info'))('req-early', 'GET', '/health', 200, 1);
      setTimeout(() => {}, 30_000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let err = '';
      const seen = await new Promise<boolean>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('"reqId":"req-early"')) resolve(true);
        });
        child.once('exit', () => resolve(false));
      });
      assert.ok(seen, `the line was not written while the process ran: ${err}`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
