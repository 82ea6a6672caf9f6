// Process helpers for the lab: daemons started in the background with a pid
// file, stopped only by pid (never by name). A pid file records the pid, the
// process start time and a command-line fragment, so a recycled pid is never
// mistaken for ours.
import {spawn} from 'node:child_process';
import {closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {createConnection} from 'node:net';
import {exec, type ExecResult} from '../../src/lib/util/exec.js';
import {acquireLock} from '../../src/lib/util/lock.js';

export {exec, type ExecResult};

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Run a program (no shell) and fail with its stderr when it exits non-zero. */
export async function must(cmd: string, args: string[], opts: {input?: string; timeoutMs?: number; env?: Record<string, string | undefined>} = {}): Promise<ExecResult> {
  const r = await exec(cmd, args, {timeoutMs: 60_000, ...opts});
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} → exit ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
  }
  return r;
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** What is being waited for, for the timeout message. */
  what: string;
}

/**
 * Poll `fn` until it returns a truthy value (returned) or the deadline passes
 * (throws "timed out after Ns waiting for <what>"). Bounded in time and count.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, {timeoutMs, intervalMs = 250, what}: WaitOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  const maxTries = Math.ceil(timeoutMs / Math.max(intervalMs, 1)) + 2;
  let lastError: unknown;
  for (let i = 0; i < maxTries; i++) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(1)}s waiting for ${what}${why}`);
}

/** True when a TCP connection to addr:port succeeds within timeoutMs. */
export function tcpOpen(addr: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({host: addr, port});
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

// ---- /proc ------------------------------------------------------------------

export function cmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return null;
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks): identifies a process beyond its pid. */
export function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may contain spaces and parentheses: split after the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

export function allPids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

/** Every descendant of pid, from the process table. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allPids()) {
    const pp = parentOf(p);
    if (pp === null) continue;
    if (!children.has(pp)) children.set(pp, []);
    children.get(pp)!.push(p);
  }
  const out: number[] = [];
  const todo = [pid];
  for (let guard = 0; todo.length > 0 && guard < 100_000; guard++) {
    for (const c of children.get(todo.pop()!) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** SIGTERM, wait up to timeoutMs, then SIGKILL; resolves when the pid is gone (bounded). */
export async function terminate(pids: number[], timeoutMs: number): Promise<void> {
  for (const p of pids) signal(p, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(100);
  const left = pids.filter(isAlive);
  for (const p of left) signal(p, 'SIGKILL');
  for (let i = 0; i < 50 && left.some(isAlive); i++) await sleep(100);
}

// ---- pid files ----------------------------------------------------------------

export interface PidRecord {
  pid: number;
  start: string;
  /** A fragment the process's command line must contain. */
  match: string;
}

export function readPidFile(file: string): PidRecord | null {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
    return typeof r.pid === 'number' ? r : null;
  } catch {
    return null;
  }
}

/** The process a pid file names, if it is still that very process. */
export function pidFileAlive(file: string): number | null {
  const r = readPidFile(file);
  if (!r) return null;
  if (startTime(r.pid) !== r.start) return null;
  if (!(cmdline(r.pid) ?? '').includes(r.match)) return null;
  return r.pid;
}

export interface DaemonOptions {
  pidFile: string;
  logFile: string;
  /** Fragment of the daemon's command line, checked before it is ever signalled. */
  match: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/**
 * Start a daemon in its own session, in the background, stdio to logFile,
 * and record it in pidFile. Resolves once the process exists.
 */
export async function startDaemon(cmd: string, args: string[], opts: DaemonOptions): Promise<number> {
  const fd = openSync(opts.logFile, 'a', 0o600);
  try {
    const child = spawn(cmd, args, {
      detached: true, // setsid(): survives us, gets no terminal signals
      stdio: ['ignore', fd, fd],
      env: {...process.env, ...opts.env},
      cwd: opts.cwd ?? '/',
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid!));
    });
    child.unref();
    // exec has happened once 'spawn' fired, so /proc shows the real command line
    const start = startTime(pid);
    if (start === null) throw new Error(`${cmd} exited at once; see ${opts.logFile}`);
    writeFileSync(opts.pidFile, JSON.stringify({pid, start, match: opts.match} satisfies PidRecord) + '\n', {mode: 0o600});
    return pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * Stop the daemon of a pid file (only if it is still the recorded process),
 * and optionally its descendants that outlive it; remove the pid file.
 */
export async function stopDaemon(file: string, {timeoutMs, tree = false}: {timeoutMs: number; tree?: boolean}): Promise<boolean> {
  if (!existsSync(file)) return false;
  const pid = pidFileAlive(file);
  if (pid !== null) {
    const kids = tree ? descendants(pid) : [];
    await terminate([pid], timeoutMs);
    const left = kids.filter(isAlive);
    if (left.length > 0) await terminate(left, 3000);
  }
  rmSync(file, {force: true});
  return pid !== null;
}

/** Parse a shell-style environment file (KEY=value lines, optional quotes), as systemd's EnvironmentFile. */
export function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!existsSync(file)) return env;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    env[m[1]!] = m[2]!.trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return env;
}

// ---- the lab lock ----------------------------------------------------------------

/** Hold an exclusive lock on `file` until the returned release() is called (pcmkctl's own flock helper). */
export function holdLock(file: string, timeoutMs: number): Promise<() => Promise<void>> {
  return acquireLock(file, {timeoutMs});
}
