// Advisory locks shared with other processes (other pcmkctl runs, pcsd's
// Ruby writer of known-hosts, the test lab's users). Node has no flock(2), so
// util-linux `flock` holds the lock for us: it locks, prints a line, then
// keeps the lock until we close its stdin (or we die, which closes it too).
import {spawn} from 'node:child_process';
import {fail} from '../report.js';

export interface LockOptions {
  /** Give up after this many milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Shared (read) lock instead of exclusive. */
  shared?: boolean;
}

/** Take the lock; the returned function releases it (safe to call twice). */
export async function acquireLock(target: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const {timeoutMs = 30_000, shared = false} = options;
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const holder = spawn(
    'flock',
    [shared ? '--shared' : '--exclusive', '--wait', String(seconds), target, '-c', 'echo locked; exec cat >/dev/null'],
    {stdio: ['pipe', 'pipe', 'pipe']},
  );
  holder.stdin.on('error', () => {});
  const acquired = await new Promise<true | string>((resolve) => {
    let stderr = '';
    holder.stdout.once('data', () => resolve(true));
    holder.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    holder.on('error', (e) => resolve(e.message));
    holder.on('close', (code) => resolve(stderr.trim() || `flock exited with ${code}`));
  });
  if (acquired !== true) {
    holder.kill('SIGKILL');
    fail('LOCK_TIMEOUT', `could not lock '${target}' within ${seconds}s (${acquired})`, {
      hint: 'another pcmkctl or pcs run may be holding it; retry when it has finished',
    });
  }
  // a held lock must not keep the process alive on its own
  holder.unref();
  for (const stream of [holder.stdin, holder.stdout, holder.stderr]) (stream as unknown as {unref?: () => void}).unref?.();
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    // bounded wait for flock to exit; the (ref'd) timer keeps the process alive until then
    let timer: NodeJS.Timeout | undefined;
    const closed = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 5000);
      holder.once('close', () => resolve());
    });
    holder.stdin.end();
    await closed;
    clearTimeout(timer);
  };
}

export async function withLock<T>(target: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const release = await acquireLock(target, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}
