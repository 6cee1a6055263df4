import { unlinkSync } from 'node:fs';
import { open, readlink, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { Writable } from 'node:stream';

/**
 * A file written under a temporary name beside its target and renamed over it only when complete,
 * so a failed or interrupted write never leaves the target truncated or half written.
 */
export interface AtomicFile {
  readonly stream: Writable;
  /** Ends the stream, syncs the data to disk and renames the file into place. */
  commit(): Promise<void>;
  /** Discards the temporary file; the target stays as it was. */
  abort(): Promise<void>;
}

/** The path to replace: a symbolic link's target (the link stays a link), never a directory. */
async function resolveTarget(path: string): Promise<{ target: string; mode?: number }> {
  // A dangling link (realpath fails) is written through too, as opening it for writing would.
  const target = await realpath(path).catch(() => readlink(path).then((to) => resolve(dirname(path), to), () => path));
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
  return { target, mode: existing === undefined ? undefined : existing.mode & 0o7777 };
}

/** Writes go straight to the handle (an fs stream would close the descriptor on its own terms). */
function handleStream(handle: FileHandle): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      handle.write(chunk).then(() => done(), done);
    },
    final(done) {
      handle.sync().then(() => done(), done);
    },
  });
}

/**
 * Opens `.<name>.<pid>.tmp` in the target's directory (a rename is atomic only within one file
 * system), with the permissions of the file it replaces. Fails before any work when the directory
 * is not writable.
 */
export async function createAtomicFile(path: string): Promise<AtomicFile> {
  const { target, mode } = await resolveTarget(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  const handle = await open(temp, 'w', mode);
  if (mode !== undefined) await handle.chmod(mode).catch(() => undefined);
  const stream = handleStream(handle);
  // A write error is read from `stream.errored` by the writer and rethrown by commit(), not crashed on.
  stream.on('error', () => undefined);
  // Ctrl-C mid-write would otherwise leave the temporary file behind.
  const onSignal = (signal: NodeJS.Signals) => {
    try { unlinkSync(temp); } catch { /* already gone */ }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const release = () => process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  return {
    stream,
    async commit() {
      stream.end();
      await finished(stream);
      await handle.close();
      await rename(temp, target);
      release();
    },
    async abort() {
      release();
      stream.destroy();
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}
