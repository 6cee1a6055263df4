#!/usr/bin/env node
// Runs every test file under test/ with node:test through tsx. The package is built first because
// the CLI and server tests spawn the real `kdelta` binary, which runs from dist/.
// Usage: npm test [-- <file or folder filter>...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return find(p);
    return /\.test\.ts$/.test(name) ? [relative(root, p)] : [];
  }).sort();
}

const filters = process.argv.slice(2);
const files = find(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, KORU_LOG: process.env.KORU_LOG ?? 'silent' },
});
process.exit(run.status ?? 1);
