// Replacing a file so that readers see the old or the new content, never a
// mix, and a secret is never readable by anyone else, not even for an instant.
import {randomBytes} from 'node:crypto';
import {constants} from 'node:fs';
import {open, rename, unlink} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';

export interface AtomicWriteOptions {
  /** Final mode; the temp file is created 0600 and narrowed/widened before any byte is written. */
  mode: number;
  uid?: number;
  gid?: number;
}

export async function writeFileAtomic(path: string, data: string | Buffer, options: AtomicWriteOptions): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.pcmkctl-${process.pid}-${randomBytes(4).toString('hex')}`);
  // O_EXCL: never follow or reuse something an attacker placed there.
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    if (options.uid !== undefined || options.gid !== undefined) {
      await handle.chown(options.uid ?? -1, options.gid ?? -1);
    }
    await handle.chmod(options.mode);
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  const dirHandle = await open(dir, constants.O_RDONLY);
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}
