// Advisory locks shared with other processes (other pcmkctl runs, pcsd's
// Ruby writer of known-hosts). Node has no flock(2), so util-linux `flock`
// holds the lock for us: it locks, prints a line, then keeps the lock until
// we close its stdin (or we die, which closes it too).
import {spawn} from 'node:child_process';
import {fail} from '../report.js';

export interface LockOptions {
  /** Give up after this many milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Shared (read) lock instead of exclusive. */
  shared?: boolean;
}

export async function withLock<T>(target: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const {timeoutMs = 30_000, shared = false} = options;
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const holder = spawn(
    'flock',
    [shared ? '--shared' : '--exclusive', '--wait', String(seconds), target, '-c', 'echo locked; exec cat >/dev/null'],
    {stdio: ['pipe', 'pipe', 'pipe']},
  );
  holder.stdin.on('error', () => {});
  const acquired = await new Promise<boolean | string>((resolve) => {
    let stderr = '';
    holder.stdout.once('data', () => resolve(true));
    holder.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    holder.on('error', (e) => resolve(e.message));
    holder.on('close', (code) => resolve(code === 0 ? true : stderr.trim() || `flock exited with ${code}`));
  });
  if (acquired !== true) {
    holder.kill('SIGKILL');
    const why = acquired === false ? 'unknown reason' : acquired;
    fail('LOCK_TIMEOUT', `could not lock '${target}' within ${seconds}s (${why})`, {
      hint: 'another pcmkctl or pcs run may be holding it; retry when it has finished',
    });
  }
  try {
    return await fn();
  } finally {
    await new Promise<void>((resolve) => {
      holder.once('close', () => resolve());
      holder.stdin.end();
    });
  }
}
