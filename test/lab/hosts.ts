// Entering a lab host, and mapping a path as the host sees it to the file
// behind it in the root namespace.
import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {CLUSTER_NODE, PRIVATE_DIRS, paths} from './config.js';
import {exec, type ExecResult} from './proc.js';

export interface HostRunOptions {
  /** Written to the command's stdin (use it for secrets, never argv). */
  input?: string | Buffer;
  /** Kill after this many milliseconds (default 60 s). */
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
}

/**
 * Run argv "on" a host: inside its network namespace, its private /run,
 * /var/lib/pcsd, /var/log/{pcsd,pacemaker}, /var/lib/pacemaker, its /etc
 * overlay, its hostname and the systemctl shim — the same view an ssh session
 * there has. The cluster node (pcmk-1) is the root namespace: argv runs as is.
 */
export function runOnHost(name: string, argv: string[], opts: HostRunOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('runOnHost: empty argv');
  const execOpts = {timeoutMs: opts.timeoutMs ?? 60_000, input: opts.input, env: opts.env};
  if (name === CLUSTER_NODE) return exec(cmd, args, execOpts);
  return exec('ip', ['netns', 'exec', name, 'unshare', '--uts', '--', paths.hostInit, name, cmd, ...args], execOpts);
}

/**
 * Where the file a host sees at `path` lives in the root namespace:
 * /etc/X/… → /etc/netns/NAME/X/… when the host has its own /etc/X (how
 * `ip netns exec` works), /run/… and the private dirs → the host's state dir,
 * anything else → the shared path itself.
 */
export function hostPath(name: string, path: string): string {
  if (!path.startsWith('/')) throw new Error(`hostPath: ${path} is not absolute`);
  if (name === CLUSTER_NODE) return path;
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'etc' && parts[1] && existsSync(join(paths.netnsEtc(name), parts[1]))) {
    return join(paths.netnsEtc(name), ...parts.slice(1));
  }
  if (parts[0] === 'run' || (parts[0] === 'var' && parts[1] === 'run')) {
    return join(paths.hostRun(name), ...parts.slice(parts[0] === 'run' ? 1 : 2));
  }
  for (const dir of PRIVATE_DIRS) {
    if (path === dir || path.startsWith(dir + '/')) return join(paths.hostFs(name), path);
  }
  return path;
}
