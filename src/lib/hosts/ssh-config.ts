// A small ~/.ssh/config reader for what pcmkctl needs: HostName, Port, User,
// IdentityFile, UserKnownHostsFile. OpenSSH semantics: the first value found
// for a keyword wins (IdentityFile and UserKnownHostsFile from several
// matching blocks accumulate); Host patterns with *, ? and !negation;
// Match blocks are not evaluated (their settings are ignored).
import {readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';

export interface SshHostConfig {
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  userKnownHostsFiles: string[];
}

export function globToRegExp(pattern: string): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i');
}

/** OpenSSH pattern-list match: any positive pattern matches and no negated one does. */
export function matchPatternList(host: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(host)) return false;
    } else if (globToRegExp(p).test(host)) {
      matched = true;
    }
  }
  return matched;
}

/** Split a config line into keyword and arguments (quotes group words). */
function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2]);
  return out;
}

function expand(value: string, host: string, originalHost: string, user: string | undefined): string {
  const home = homedir();
  let v = value.startsWith('~/') ? join(home, value.slice(2)) : value;
  v = v.replace(/%(.)/g, (_, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'd':
        return home;
      case 'h':
        return host;
      case 'n':
        return originalHost;
      case 'r':
        return user ?? '';
      case 'u':
        return process.env.USER ?? 'root';
      default:
        return `%${c}`;
    }
  });
  return v;
}

export function parseSshConfig(text: string, host: string): SshHostConfig {
  const cfg: SshHostConfig = {identityFiles: [], userKnownHostsFiles: []};
  let active = true; // settings before the first Host apply to all hosts
  const raw: {key: string; args: string[]}[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const args = tokenize(m[2]);
    if (key === 'host') {
      active = matchPatternList(host, args);
      continue;
    }
    if (key === 'match') {
      active = false;
      continue;
    }
    if (active) raw.push({key, args});
  }
  for (const {key, args} of raw) {
    if (args.length === 0) continue;
    switch (key) {
      case 'hostname':
        cfg.hostName ??= args[0];
        break;
      case 'port': {
        const n = Number(args[0]);
        if (cfg.port === undefined && Number.isInteger(n) && n >= 1 && n <= 65535) cfg.port = n;
        break;
      }
      case 'user':
        cfg.user ??= args[0];
        break;
      case 'identityfile':
        cfg.identityFiles.push(args[0]);
        break;
      case 'userknownhostsfile':
        if (cfg.userKnownHostsFiles.length === 0) cfg.userKnownHostsFiles.push(...args);
        break;
      default:
        break;
    }
  }
  const realHost = cfg.hostName ? expand(cfg.hostName, host, host, cfg.user) : undefined;
  if (realHost) cfg.hostName = realHost;
  const h = realHost ?? host;
  cfg.identityFiles = cfg.identityFiles.map((f) => expand(f, h, host, cfg.user));
  cfg.userKnownHostsFiles = cfg.userKnownHostsFiles.filter((f) => f.toLowerCase() !== 'none').map((f) => expand(f, h, host, cfg.user));
  return cfg;
}

/** ~/.ssh/config for `host` (env PCMKCTL_SSH_CONFIG overrides the path; missing file = empty). */
export function loadSshConfig(host: string, path = process.env.PCMKCTL_SSH_CONFIG ?? join(homedir(), '.ssh', 'config')): SshHostConfig {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // no config: defaults
  }
  return parseSshConfig(text, host);
}
