// Running local programs (cibadmin, crm_diff, crm_verify, crm_node, ...):
// never through a shell, secrets only ever on stdin, bounded in time.
import {spawn} from 'node:child_process';
import type {Reporter} from '../report.js';

export interface ExecOptions {
  /** Written to the child's stdin (then closed). */
  input?: string | Buffer;
  /** Extra environment; merged over process.env. */
  env?: Record<string, string | undefined>;
  /** Kill the child after this many milliseconds (default 120 s). */
  timeoutMs?: number;
  cwd?: string;
  reporter?: Reporter;
  /** Called once `input` has been handed to the child's stdin pipe in full (or writing it failed). */
  onInputWritten?: () => void;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** True when the child was killed by the timeout. */
  timedOut: boolean;
}

export class ExecNotFoundError extends Error {
  constructor(readonly command: string) {
    super(`${command}: command not found`);
  }
}

export async function exec(command: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const {input, env, timeoutMs = 120_000, cwd, reporter, onInputWritten} = options;
  reporter?.debug(`running: ${[command, ...args].join(' ')}${env ? ` (env: ${Object.keys(env).join(',')})` : ''}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: {...process.env, LC_ALL: 'C', ...env},
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? new ExecNotFoundError(command) : e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code: code ?? (signal ? 128 + 9 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      };
      reporter?.debug(`exit ${result.code}: ${command}`);
      resolve(result);
    });
    // EPIPE when the child exits before reading its stdin is not our error.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '', () => onInputWritten?.());
  });
}

/** True when the program can be found on PATH. */
export async function haveCommand(command: string): Promise<boolean> {
  const {access} = await import('node:fs/promises');
  const {constants} = await import('node:fs');
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      await access(`${dir}/${command}`, constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}
