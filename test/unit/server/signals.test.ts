import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';

const SIGNALS = new URL('../../../src/server/signals.ts', import.meta.url).href;

/** A process whose clean stop takes 1.5 s; it prints "ready", then "stopped" when the stop is done. */
async function stopping(): Promise<{ send(signal: NodeJS.Signals): void; exit: Promise<[number | null, string]> }> {
  const script = `
    import { onShutdown } from ${JSON.stringify(SIGNALS)};
    const keep = setInterval(() => {}, 1000);
    onShutdown(() => new Promise((r) => setTimeout(r, 1500)).then(() => { console.log('stopped'); clearInterval(keep); }));
    console.log('ready');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c: string) => { out += c; });
  while (!out.includes('ready')) await once(child.stdout, 'data');
  return {
    send: (signal) => child.kill(signal),
    exit: once(child, 'exit').then(([code]) => [code as number | null, out]),
  };
}

describe('onShutdown', () => {
  it('takes one signal arriving twice at once (directly and through a wrapper) as one: the stop finishes', async () => {
    const p = await stopping();
    p.send('SIGINT');
    await new Promise((r) => setTimeout(r, 50));
    p.send('SIGINT');
    const [code, out] = await p.exit;
    assert.equal(code, 0);
    assert.match(out, /stopped/);
  });

  it('exits at once on a second signal sent later, without waiting for the stop', async () => {
    const p = await stopping();
    p.send('SIGTERM');
    await new Promise((r) => setTimeout(r, 800));
    p.send('SIGTERM');
    const [code, out] = await p.exit;
    assert.equal(code, 143);
    assert.doesNotMatch(out, /stopped/);
  });

  it('stops cleanly on SIGHUP (a closed terminal)', async () => {
    const p = await stopping();
    p.send('SIGHUP');
    const [code, out] = await p.exit;
    assert.equal(code, 0);
    assert.match(out, /stopped/);
  });
});
