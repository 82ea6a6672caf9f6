// SSH transport (ssh2, imported lazily): what pcsd does on a host, done over
// SSH as root (or a user with `sudo -n`). Host keys are verified against
// OpenSSH known_hosts; an unknown key is accepted only with --ssh-accept-new,
// a changed one never. Every remote argument is passed as a single-quoted
// positional parameter of a fixed script: host names or paths are never code.
import {createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import type {Client, ClientChannel, ConnectConfig} from 'ssh2';
import {type Reporter, infoReport} from '../report.js';
import {HostErrorCode, classifySocketError, hostError} from './host-errors.js';
import {shellQuote} from './shell-quote.js';
import {loadSshConfig} from './ssh-config.js';
import {appendKnownHost, keyTypeOf, knownHostsName, knownKeyTypes, readKnownHostsFiles, sshFingerprint, verifyHostKey} from './ssh-known-hosts.js';
import type {AuthkeyRemove, AuthkeyState, AuthkeyWrite, HostFacts, HostTarget, HostTransport, ServiceAction} from './transport.js';

export const DEFAULT_AUTHKEY_PATH = '/etc/pacemaker/authkey';
const AUTHKEY_MODE = 0o400;
/** exit status of the write script when the key is no longer what was decided on */
export const STALE_EXIT = 75;
/** exit status of the write script when the key's owner (hacluster:haclient) does not exist */
export const NO_OWNER_EXIT = 76;

interface Probe {
  r: ExecResult;
  out?: ProbeOutput;
  error?: Error;
}

export interface SshTransportOptions {
  reporter: Reporter;
  user?: string;
  identity?: string;
  port?: number;
  /** Verify against (and record into) this known_hosts file only. */
  knownHostsFile?: string;
  acceptNew?: boolean;
  sudo?: boolean;
  /** Login password (password / keyboard-interactive); never logged. */
  password?: string;
  /** Deadline per remote command (default 60 s). */
  requestTimeoutMs?: number;
  /** SSH connect + handshake + auth (default 20 s). */
  connectTimeoutMs?: number;
  sshConfigPath?: string;
  /** Use this authkey path instead of discovering it on the host (tests, unusual layouts). */
  authkeyPath?: string;
}

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: Buffer;
  stderr: string;
}

interface Conn {
  client: Client;
  user: string;
  where: string;
}

const HOSTKEY_ALGOS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

function excerpt(s: string, max = 300): string {
  const t = s.trim().replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
  return t.length > max ? t.slice(0, max) + '…' : t;
}

/** Parse PCMK_authkey_location from sysconfig text (shell assignment, optional quotes). */
export function parseAuthkeyLocation(text: string): string | undefined {
  let value: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?PCMK_authkey_location=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[1].trim();
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    value = v;
  }
  return value;
}

/**
 * One read-only round trip for everything a workflow asks of a host before it
 * writes: that commands run at all (checkAuth), the service facts (checkHost),
 * where pacemaker reads its key and that key's state (readAuthkey). Fixed
 * text; $1 = the authkey path to use ('' = discover), $2 = the default path,
 * $3... = the sysconfig files to look in, in order. Output: one
 * `name=value` line each; bytes that could be anything (paths, sysconfig
 * lines, the key) are hex. The location is found here with a small sed
 * parser only to read the right key in the same round trip; the sysconfig
 * lines are sent back and parseAuthkeyLocation() decides (when they
 * disagree, the key is read again at the path it found).
 */
export const PROBE_SCRIPT = [
  '# pcmkctl: host probe (facts, authkey)',
  "hex() { od -An -v -tx1 | tr -d ' \\n'; }",
  'echo pcmkctl_probe=1',
  // two systemctl calls: is-enabled prints nothing (or not-found) for a unit
  // that is not installed; is-active answers one line per unit, in order
  'if command -v systemctl >/dev/null 2>&1; then',
  '  e=$(systemctl is-enabled pacemaker_remote 2>/dev/null)',
  '  case $e in ""|not-found) echo remote_installed=0 ;; *) echo remote_installed=1 ;; esac',
  '  echo "remote_enabled=$e"',
  '  { read -r ra; read -r pa; read -r ca; } <<EOF',
  '$(systemctl is-active pacemaker_remote pacemaker corosync 2>/dev/null)',
  'EOF',
  '  echo "remote_active=$ra"; echo "pacemaker_active=$pa"; echo "corosync_active=$ca"',
  'else echo systemctl=missing; fi',
  'if [ -e /etc/corosync/corosync.conf ] || [ -e /var/lib/pacemaker/cib/cib.xml ]; then echo config=yes; else echo config=no; fi',
  'p=$1; d=$2; shift 2',
  'if [ -z "$p" ]; then',
  '  p=$d; found=no',
  '  for f in "$@"; do',
  '    [ -r "$f" ] || continue',
  '    l=$(grep -F PCMK_authkey_location -- "$f" 2>/dev/null)',
  '    echo "sysconfig=$(printf %s "$f" | hex) $(printf %s "$l" | hex)"',
  '    [ "$found" = no ] || continue',
  "    v=$(printf '%s\\n' \"$l\" | sed -n 's/^[[:space:]]*\\(export[[:space:]][[:space:]]*\\)\\{0,1\\}PCMK_authkey_location=/x/p' | tail -n 1)",
  '    [ -n "$v" ] || continue',
  "    found=yes; v=$(printf '%s\\n' \"${v#x}\" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')",
  '    case $v in',
  "      \\\"*\\\") v=${v#\\\"}; v=${v%\\\"} ;;",
  "      \\'*\\') v=${v#\\'}; v=${v%\\'} ;;",
  "      *) v=$(printf '%s\\n' \"$v\" | sed 's/[[:space:]][[:space:]]*#.*$//') ;;",
  '    esac',
  '    p=$v',
  '  done',
  'fi',
  'case $p in /*) ;; *) p= ;; esac',
  'echo "key_path=$(printf %s "$p" | hex)"',
  'if [ -n "$p" ]; then',
  '  if [ ! -e "$p" ]; then echo key=missing',
  "  elif s=$(stat -L -c '%a %U %G' -- \"$p\" 2>/dev/null) && c=$(od -An -v -tx1 -- \"$p\" 2>/dev/null); then",
  "    echo key=present; echo \"key_stat=$s\"; echo \"key_content=$(printf %s \"$c\" | tr -d ' \\n')\"",
  '  else echo key=error; fi',
  'fi',
  'echo end=1',
  'exit 0',
].join('\n');

/**
 * Key write, one round trip: $1 = path, $2 = what must be there now
 * ('missing' or 'hex:' + its bytes; exit 75 and nothing written otherwise),
 * the key on stdin. Temp in the key's directory, owner+mode before any byte,
 * sync, rename. Exit 76 when hacluster/haclient do not exist.
 */
export const WRITE_SCRIPT = [
  'set -e',
  'p=$1',
  `id -u hacluster >/dev/null 2>&1 && getent group haclient >/dev/null 2>&1 || exit ${NO_OWNER_EXIT}`,
  `if [ "$2" = missing ]; then ! [ -e "$p" ] || exit ${STALE_EXIT}; else [ -e "$p" ] && [ "hex:$(od -An -v -tx1 -- "$p" | tr -d ' \\n')" = "$2" ] || exit ${STALE_EXIT}; fi`,
  'mkdir -p -- "$(dirname -- "$p")"',
  't=$(mktemp -- "$(dirname -- "$p")/.$(basename -- "$p").pcmkctl-XXXXXX")',
  'trap \'rm -f -- "$t"\' EXIT',
  'chown -- hacluster:haclient "$t"; chmod -- 0400 "$t"',
  'cat > "$t"; sync -- "$t" 2>/dev/null || sync',
  'mv -f -- "$t" "$p"; trap - EXIT',
].join('\n');

export const SYSCONFIG_FILES = ['/etc/sysconfig/pacemaker', '/etc/default/pacemaker'];

/** What the probe found (strictly parsed; see parseProbeOutput). */
export interface ProbeOutput {
  /** undefined when systemctl is missing on the host */
  facts?: HostFacts;
  /** sysconfig files read, in order, with their PCMK_authkey_location lines */
  sysconfig: {file: string; text: string}[];
  /** the path the script read ('' = none: the location it found is not absolute) */
  keyPath: string;
  key?: {state: 'missing'} | {state: 'present'; mode: number; owner: string; group: string; content: Buffer} | {state: 'error'};
}

const PROBE_KEYS = new Set(['systemctl', 'remote_installed', 'remote_active', 'remote_enabled', 'pacemaker_active', 'corosync_active', 'config', 'key_path', 'key', 'key_stat', 'key_content']);
const FACT_KEYS = ['remote_installed', 'remote_active', 'remote_enabled', 'pacemaker_active', 'corosync_active'];
const HEX = /^(?:[0-9a-f]{2})*$/;

/** Strict parser of PROBE_SCRIPT's output; anything unexpected is an error naming the line. */
export function parseProbeOutput(out: Buffer): ProbeOutput {
  const text = out.toString('utf8');
  const bad = (why: string): never => {
    throw new Error(why);
  };
  if (!text.endsWith('\n')) bad('output is truncated');
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== 'pcmkctl_probe=1') bad(`unexpected first line ${JSON.stringify(excerpt(lines[0] ?? '', 80))}`);
  if (lines.at(-1) !== 'end=1') bad('output does not end with end=1');
  const kv = new Map<string, string>();
  const sysconfig: {file: string; text: string}[] = [];
  for (const [i, line] of lines.slice(1, -1).entries()) {
    const m = /^([a-z_]+)=(.*)$/.exec(line);
    const where = `line ${i + 2} ${JSON.stringify(excerpt(line, 80))}`;
    if (!m) bad(`unexpected ${where}`);
    const [, k, v] = m!;
    if (k === 'sysconfig') {
      const sm = /^((?:[0-9a-f]{2})+) ((?:[0-9a-f]{2})*)$/.exec(v);
      if (!sm) bad(`unexpected ${where}`);
      sysconfig.push({file: Buffer.from(sm![1], 'hex').toString('utf8'), text: Buffer.from(sm![2], 'hex').toString('utf8')});
      continue;
    }
    if (!PROBE_KEYS.has(k)) bad(`unknown ${where}`);
    if (kv.has(k)) bad(`repeated ${where}`);
    kv.set(k, v);
  }
  const need = (k: string, re: RegExp): string => {
    const v = kv.get(k);
    if (v === undefined) bad(`${k}= is missing`);
    if (!re.test(v!)) bad(`unexpected ${k}=${JSON.stringify(excerpt(v!, 80))}`);
    return v!;
  };
  const optional = (k: string, re: RegExp): string | undefined => (kv.has(k) ? need(k, re) : undefined);
  let facts: HostFacts | undefined;
  const config = need('config', /^(yes|no)$/);
  if (kv.has('systemctl')) {
    need('systemctl', /^missing$/);
    for (const k of FACT_KEYS) if (kv.has(k)) bad(`${k}= together with systemctl=missing`);
  } else {
    const word = /^[\x21-\x7e]*$/;
    facts = {
      pacemakerRemoteInstalled: Number(need('remote_installed', /^\d+$/)) > 0,
      pacemakerRemoteRunning: need('remote_active', word) === 'active',
      pacemakerRemoteEnabled: need('remote_enabled', word) === 'enabled',
      pacemakerRunning: need('pacemaker_active', word) === 'active',
      corosyncRunning: need('corosync_active', word) === 'active',
      clusterConfigExists: config === 'yes',
    };
  }
  const result: ProbeOutput = {
    facts,
    sysconfig,
    keyPath: Buffer.from(need('key_path', HEX), 'hex').toString('utf8'),
  };
  const key = optional('key', /^(missing|present|error)$/);
  if ((result.keyPath === '') !== (key === undefined)) bad('key_path= and key= do not agree');
  if (key === 'present') {
    const st = /^([0-7]+) (\S+) (\S+)$/.exec(need('key_stat', /^[0-7]+ \S+ \S+$/))!;
    result.key = {state: 'present', mode: parseInt(st[1], 8), owner: st[2], group: st[3], content: Buffer.from(need('key_content', HEX), 'hex')};
  } else {
    if (kv.has('key_stat') || kv.has('key_content')) bad(`key_stat=/key_content= with key=${key ?? '(none)'}`);
    if (key) result.key = {state: key as 'missing' | 'error'};
  }
  return result;
}

export class SshTransport implements HostTransport {
  readonly kind = 'ssh' as const;
  private readonly conns = new Map<string, Promise<Conn>>();
  private readonly keyPaths = new Map<string, Promise<string>>();
  private readonly probes = new Map<string, Promise<Probe>>();
  private readonly reporter: Reporter;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;

  constructor(private readonly options: SshTransportOptions) {
    this.reporter = options.reporter;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.connectTimeoutMs = Math.min(options.connectTimeoutMs ?? 20_000, this.requestTimeoutMs);
  }

  private connect(host: HostTarget): Promise<Conn> {
    let c = this.conns.get(host.name);
    if (!c) {
      c = this.open(host);
      this.conns.set(host.name, c);
      c.catch(() => this.conns.delete(host.name));
    }
    return c;
  }

  private authMethods(user: string, identityFiles: string[]): unknown[] {
    const methods: unknown[] = [];
    const tried = new Set<string>();
    const addKey = (file: string) => {
      if (tried.has(file) || !existsSync(file)) return;
      tried.add(file);
      try {
        methods.push({type: 'publickey', username: user, key: readFileSync(file)});
      } catch (e) {
        this.reporter.debug(`ssh: cannot read identity ${file}: ${(e as Error).message}`);
      }
    };
    if (this.options.identity) addKey(this.options.identity);
    if (process.env.SSH_AUTH_SOCK && !this.options.identity) methods.push({type: 'agent', username: user, agent: process.env.SSH_AUTH_SOCK});
    if (!this.options.identity) {
      for (const f of identityFiles) addKey(f);
      for (const f of ['id_ed25519', 'id_ecdsa', 'id_rsa']) addKey(join(homedir(), '.ssh', f));
    }
    if (this.options.password !== undefined) {
      const password = this.options.password;
      methods.push({type: 'password', username: user, password});
      methods.push({
        type: 'keyboard-interactive',
        username: user,
        prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (answers: string[]) => void) => finish(prompts.map(() => password)),
      });
    }
    return methods;
  }

  private async open(host: HostTarget): Promise<Conn> {
    const mod = await import('ssh2');
    const {Client, utils} = (mod as unknown as {default?: typeof mod}).default ?? mod;
    const cfg = loadSshConfig(host.name, this.options.sshConfigPath);
    const hostname = host.addr ?? cfg.hostName ?? host.name;
    const port = this.options.port ?? cfg.port ?? 22;
    const user = this.options.user ?? cfg.user ?? 'root';
    const userFiles = this.options.knownHostsFile
      ? [this.options.knownHostsFile]
      : cfg.userKnownHostsFiles.length > 0
        ? cfg.userKnownHostsFiles
        : [join(homedir(), '.ssh', 'known_hosts'), join(homedir(), '.ssh', 'known_hosts2')];
    const files = this.options.knownHostsFile ? userFiles : [...userFiles, '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
    const name = knownHostsName(hostname, port);
    const lines = readKnownHostsFiles(files);
    const types = knownKeyTypes(lines, name).filter((t) => HOSTKEY_ALGOS[t]);
    const where = `sshd at ${user}@${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
    const client = new Client();
    let verifyError: Error | undefined;
    const n = host.name;

    const hostVerifier = (key: Buffer, cb: (ok: boolean) => void) => {
      const fp = sshFingerprint(key);
      const verdict = verifyHostKey(lines, name, key);
      this.reporter.debug(`ssh: ${n}: host key ${keyTypeOf(key)} ${fp}: ${verdict.status}`);
      if (verdict.status === 'ok') return cb(true);
      if (verdict.status === 'revoked') {
        verifyError = hostError(HostErrorCode.sshHostKeyRevoked, n, `the ${keyTypeOf(key)} host key of ${name} (${fp}) is marked @revoked in ${verdict.matched.file}:${verdict.matched.line}`);
        return cb(false);
      }
      if (verdict.status === 'changed') {
        const old = verdict.known.map((l) => `${sshFingerprint(l.key)} (${l.file}:${l.line})`).join(', ');
        verifyError = hostError(HostErrorCode.sshHostKeyChanged, n,
          `REMOTE HOST IDENTIFICATION HAS CHANGED for ${name}: known ${keyTypeOf(key)} key ${old}, now presented ${fp}; refusing to connect`,
          `if the host was reinstalled, verify the new key out of band and remove the old one: ssh-keygen -R ${shellQuote(name)} -f ${shellQuote(verdict.known[0].file)}`);
        return cb(false);
      }
      if (!this.options.acceptNew) {
        verifyError = hostError(HostErrorCode.sshHostKeyUnknown, n,
          `the host key of ${name} is not known (${keyTypeOf(key)} ${fp})${verdict.otherTypes.length ? `; known key types: ${verdict.otherTypes.join(', ')}` : ''}`,
          `verify the fingerprint (on the host: ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and rerun with --ssh-accept-new to record it in ${userFiles[0]}`);
        return cb(false);
      }
      appendKnownHost(userFiles[0], name, key).then(
        () => {
          this.reporter.emit(infoReport('SSH_HOST_KEY_ADDED', `${n}: permanently added the ${keyTypeOf(key)} host key of ${name} (${fp}) to ${userFiles[0]}`, {host: n}));
          cb(true);
        },
        (e: Error) => {
          verifyError = hostError(HostErrorCode.sshHostKeyUnknown, n, `cannot record the host key of ${name} in ${userFiles[0]}: ${e.message}`);
          cb(false);
        },
      );
    };

    const methods = this.authMethods(user, cfg.identityFiles).filter((m) => {
      const mm = m as {type: string; key?: Buffer; username: string};
      if (mm.type !== 'publickey') return true;
      const parsed = utils.parseKey(mm.key!);
      if (parsed instanceof Error) {
        this.reporter.debug(`ssh: skipping an identity that cannot be used without a passphrase (${parsed.message})`);
        return false;
      }
      return true;
    });
    const config: ConnectConfig = {
      host: hostname,
      port,
      username: user,
      readyTimeout: this.connectTimeoutMs,
      keepaliveInterval: 10_000,
      keepaliveCountMax: 3,
      hostVerifier: hostVerifier as ConnectConfig['hostVerifier'],
      authHandler: methods as ConnectConfig['authHandler'],
      tryKeyboard: this.options.password !== undefined,
    };
    if (types.length > 0) config.algorithms = {serverHostKey: types.flatMap((t) => HOSTKEY_ALGOS[t]) as never};
    this.reporter.debug(`ssh: connecting to ${where} (${methods.length} auth method(s), known_hosts ${files.filter((f) => existsSync(f)).join(', ') || 'none'})`);

    return new Promise<Conn>((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | null) => {
        if (settled) return;
        settled = true;
        if (err) {
          client.end();
          reject(err);
        } else {
          resolve({client, user, where});
        }
      };
      client.on('ready', () => settle(null));
      client.on('error', (e: Error & {level?: string; code?: string}) => {
        if (verifyError) return settle(verifyError);
        switch (e.level) {
          case 'client-authentication':
            return settle(hostError(HostErrorCode.sshAuthFailed, n, `${where}: authentication failed (${e.message})`,
              'check --ssh-user / --ssh-identity, the agent (SSH_AUTH_SOCK), and authorized_keys on the host'));
          case 'client-timeout':
            return settle(hostError(HostErrorCode.connectTimeout, n, `Unable to connect to ${where}: ${e.message}`,
              `the host is down or a firewall drops ${port}/tcp; allow it or raise --request-timeout`));
          case 'client-socket':
            return settle(classifySocketError(e, n, where, port, 'sshd'));
          case 'protocol':
            return settle(hostError(HostErrorCode.invalidResponse, n, `${where} does not speak SSH: ${e.message}`, `is sshd listening on port ${port}?`));
          default:
            return settle(e.code ? classifySocketError(e, n, where, port, 'sshd') : hostError(HostErrorCode.connectFailed, n, `SSH connection to ${where} failed: ${e.message}`));
        }
      });
      client.on('close', () => settle(verifyError ?? hostError(HostErrorCode.connectFailed, n, `${where} closed the connection during the handshake`)));
      try {
        client.connect(config);
        // short requests, each waiting for its answer: without this, Nagle's
        // algorithm holds a packet sent right after another (a command's
        // stdin, then its EOF) until the host's delayed ACK, ~40 ms each time
        client.setNoDelay(true);
      } catch (e) {
        settle(hostError(HostErrorCode.sshAuthFailed, n, `cannot use the SSH identity: ${(e as Error).message}`));
      }
    });
  }

  /**
   * Run a fixed script with positional arguments ($1, $2, ...), as root or
   * through sudo -n. Nothing in `args` is ever interpreted by a shell.
   */
  async exec(host: HostTarget, script: string, args: string[] = [], input?: Buffer): Promise<ExecResult> {
    const conn = await this.connect(host);
    const inner = ['sh', '-c', script, 'pcmkctl', ...args].map(shellQuote).join(' ');
    const command = this.options.sudo ? `sudo -n -- ${inner}` : inner;
    this.reporter.debug(`ssh: ${host.name}: run ${script.split('\n')[0].slice(0, 60)}… (${args.length} arg(s)${input ? `, ${input.length} bytes on stdin` : ''})`);
    const result = await new Promise<ExecResult>((resolve, reject) => {
      conn.client.exec(command, (err: Error | undefined, stream: ClientChannel) => {
        if (err) return reject(hostError(HostErrorCode.sshCommandFailed, host.name, `cannot run a command over SSH: ${err.message}`));
        const out: Buffer[] = [];
        let errText = '';
        let code: number | null = null;
        let signal: string | undefined;
        const timer = setTimeout(() => {
          stream.close();
          reject(hostError(HostErrorCode.timeout, host.name, `${conn.where}: the command did not finish within ${this.requestTimeoutMs / 1000}s`, 'raise --request-timeout, or check the host'));
        }, this.requestTimeoutMs);
        stream.on('data', (b: Buffer) => out.push(b));
        stream.stderr.on('data', (b: Buffer) => (errText += b.toString('utf8')));
        stream.on('exit', (c: number | null, s?: string) => {
          code = c;
          signal = s;
        });
        stream.on('close', () => {
          clearTimeout(timer);
          resolve({code, signal, stdout: Buffer.concat(out), stderr: errText});
        });
        stream.end(input ?? undefined);
      });
    });
    if (this.options.sudo && result.code !== 0 && /a password is required|a terminal is required|may not run sudo|not in the sudoers/i.test(result.stderr)) {
      throw hostError(HostErrorCode.sshSudoPassword, host.name, `sudo -n refused for ${conn.user}: ${excerpt(result.stderr)}`,
        `allow ${conn.user} passwordless sudo (NOPASSWD) for these commands, or log in as root`);
    }
    return result;
  }

  private failed(host: HostTarget, what: string, r: ExecResult): Error {
    const why = excerpt(r.stderr) || (r.signal ? `killed by ${r.signal}` : `exit status ${r.code}`);
    const hint = !this.options.sudo && /permission denied|operation not permitted/i.test(r.stderr) ? 'log in as root (--ssh-user root) or use --sudo' : undefined;
    return hostError(HostErrorCode.sshCommandFailed, host.name, `${what}: ${why}`, hint);
  }

  /**
   * The probe of a host, run once and kept until this transport writes to
   * that host (putAuthkey, removeAuthkey, manageService drop it). Rejects
   * only when the command could not be run (connection, sudo).
   */
  private probe(host: HostTarget): Promise<Probe> {
    let p = this.probes.get(host.name);
    if (!p) {
      p = (async (): Promise<Probe> => {
        const r = await this.exec(host, PROBE_SCRIPT, [this.options.authkeyPath ?? '', DEFAULT_AUTHKEY_PATH, ...SYSCONFIG_FILES]);
        if (r.code !== 0) return {r};
        let out: ProbeOutput;
        try {
          out = parseProbeOutput(r.stdout);
        } catch (e) {
          return {
            r,
            error: hostError(HostErrorCode.invalidResponse, host.name, `unexpected output from the host probe: ${(e as Error).message}`,
              'something on the host (a shell startup file?) may write to standard output'),
          };
        }
        // the location does not change with what this transport writes: keep it past forget()
        if (!this.options.authkeyPath && !this.keyPaths.has(host.name)) {
          const loc = (async () => this.location(host, out))();
          this.keyPaths.set(host.name, loc);
          loc.catch(() => this.keyPaths.delete(host.name));
        }
        return {r, out};
      })();
      const mine = p;
      this.probes.set(host.name, p);
      p.then(
        (probe) => probe.r.code !== 0 && this.probes.get(host.name) === mine && this.probes.delete(host.name),
        () => this.probes.get(host.name) === mine && this.probes.delete(host.name),
      );
    }
    return p;
  }

  /** After any write to the host: the next read probes again. */
  private forget(host: HostTarget): void {
    this.probes.delete(host.name);
  }

  async checkAuth(host: HostTarget): Promise<void> {
    const probe = await this.probe(host);
    if (probe.r.code !== 0) throw this.failed(host, 'cannot run commands', probe.r);
  }

  async checkHost(host: HostTarget): Promise<HostFacts> {
    const probe = await this.probe(host);
    if (probe.r.code !== 0) throw this.failed(host, 'cannot inspect the host', probe.r);
    if (probe.error) throw probe.error;
    if (!probe.out!.facts) {
      throw hostError(HostErrorCode.sshCommandFailed, host.name, 'systemctl is not available on the host', 'pcmkctl manages pacemaker_remote through systemd');
    }
    return probe.out!.facts;
  }

  /** Where pacemaker on that host reads its key (PCMK_authkey_location, else the default). */
  authkeyPath(host: HostTarget): Promise<string> {
    if (this.options.authkeyPath) return Promise.resolve(this.options.authkeyPath);
    let p = this.keyPaths.get(host.name);
    if (!p) {
      p = this.probe(host).then((probe) => {
        if (probe.error) throw probe.error;
        if (probe.r.code !== 0) throw this.failed(host, 'cannot read the pacemaker sysconfig', probe.r);
        return this.location(host, probe.out!);
      });
      this.keyPaths.set(host.name, p);
      p.catch(() => this.keyPaths.delete(host.name));
    }
    return p;
  }

  /** The location the probe's sysconfig lines give (parseAuthkeyLocation decides, not the script). */
  private location(host: HostTarget, out: ProbeOutput): string {
    for (const {file, text} of out.sysconfig) {
      const loc = parseAuthkeyLocation(text);
      if (loc === undefined) continue;
      if (!loc.startsWith('/') || /[\n\r\u0000]/.test(loc)) {
        throw hostError(HostErrorCode.sshCommandFailed, host.name, `PCMK_authkey_location in ${file} is not an absolute path: ${JSON.stringify(loc)}`);
      }
      this.reporter.debug(`ssh: ${host.name}: authkey location ${loc} (from ${file})`);
      return loc;
    }
    return DEFAULT_AUTHKEY_PATH;
  }

  async readAuthkey(host: HostTarget): Promise<AuthkeyState> {
    const path = await this.authkeyPath(host);
    const probe = await this.probe(host);
    if (probe.error) throw probe.error;
    const key = probe.out?.key;
    if (probe.out?.keyPath === path && key && key.state !== 'error') {
      if (key.state === 'missing') return {exists: false, path};
      return {exists: true, path, content: key.content, sha256: createHash('sha256').update(key.content).digest('hex'), mode: key.mode, owner: key.owner, group: key.group};
    }
    // the probe read another path, or could not read the key: read it on its own (its error is the one to report)
    this.reporter.debug(`ssh: ${host.name}: the probe did not read ${path}; reading it separately`);
    return this.readKeyFile(host, path);
  }

  private async readKeyFile(host: HostTarget, path: string): Promise<AuthkeyState> {
    const r = await this.exec(host, '[ -e "$1" ] || exit 4; stat -L -c "%a %U %G" -- "$1" || exit 3; cat -- "$1"', [path]);
    if (r.code === 4) return {exists: false, path};
    if (r.code !== 0) throw this.failed(host, `cannot read ${path}`, r);
    const nl = r.stdout.indexOf(0x0a);
    const m = /^([0-7]+) (\S+) (\S+)$/.exec(r.stdout.subarray(0, nl).toString('utf8'));
    if (nl < 0 || !m) throw hostError(HostErrorCode.invalidResponse, host.name, `unexpected output of stat for ${path}`);
    const content = r.stdout.subarray(nl + 1);
    return {exists: true, path, content, sha256: createHash('sha256').update(content).digest('hex'), mode: parseInt(m[1], 8), owner: m[2], group: m[3]};
  }

  async putAuthkey(host: HostTarget, key: Buffer, options: {overwrite: boolean}): Promise<AuthkeyWrite> {
    // The state decided on may come from an earlier probe. A write checks,
    // right before it, that the key is still what was decided on (when it is
    // not: probe again, decide again); an answer without a write is given
    // only from a fresh read.
    const sha = createHash('sha256').update(key).digest('hex');
    let fresh = !this.probes.has(host.name);
    for (let attempt = 1; ; attempt++) {
      const state = await this.readAuthkey(host);
      let answer: AuthkeyWrite | undefined;
      if (state.exists) {
        const sameContent = state.sha256 === sha;
        if (sameContent && state.mode === AUTHKEY_MODE && state.owner === 'hacluster' && state.group === 'haclient') answer = 'same_content';
        else if (!sameContent && !options.overwrite) answer = 'conflict';
        else if (sameContent && !options.overwrite) answer = 'same_content';
      }
      if (answer && fresh) return answer;
      if (answer) {
        this.forget(host);
        fresh = true;
        continue;
      }
      this.forget(host);
      const outcome = await this.writeKey(host, state, key);
      if (outcome === 'written') return state.exists ? 'rewritten' : 'written';
      if (attempt >= 3) {
        throw hostError(HostErrorCode.sshCommandFailed, host.name, `${state.path} kept changing while pcmkctl was writing it`, 'something else on the host is writing the key; retry when it has finished');
      }
      this.reporter.debug(`ssh: ${host.name}: ${state.path} changed since it was read; reading it again`);
      fresh = true; // forgotten before the write
    }
  }

  /**
   * Atomic replace by WRITE_SCRIPT, only if the key is still `before`
   * ('stale' otherwise, nothing written).
   */
  private async writeKey(host: HostTarget, before: AuthkeyState, key: Buffer): Promise<'written' | 'stale'> {
    const path = before.path;
    const r = await this.exec(host, WRITE_SCRIPT, [path, before.exists ? `hex:${before.content!.toString('hex')}` : 'missing'], key);
    if (r.code === STALE_EXIT) return 'stale';
    if (r.code === NO_OWNER_EXIT) {
      throw hostError(HostErrorCode.sshCommandFailed, host.name, 'user hacluster or group haclient does not exist on the host', 'install pacemaker-remote there first');
    }
    if (r.code !== 0) throw this.failed(host, `cannot write ${path}`, r);
    return 'written';
  }

  async removeAuthkey(host: HostTarget): Promise<AuthkeyRemove> {
    const path = await this.authkeyPath(host);
    this.forget(host);
    const r = await this.exec(host, 'if [ -e "$1" ] || [ -L "$1" ]; then rm -f -- "$1" && echo deleted; else echo not_found; fi', [path]);
    const out = r.stdout.toString('utf8').trim();
    if (r.code !== 0 || (out !== 'deleted' && out !== 'not_found')) throw this.failed(host, `cannot remove ${path}`, r);
    return out;
  }

  async manageService(host: HostTarget, action: ServiceAction): Promise<void> {
    const verb = action === 'start-enable' ? 'enable' : 'disable';
    this.forget(host);
    const r = await this.exec(host, 'systemctl "$1" --now pacemaker_remote', [verb]);
    if (r.code !== 0) throw this.failed(host, `systemctl ${verb} --now pacemaker_remote failed`, r);
  }

  async close(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.all(all.map((c) => c.then((conn) => conn.client.end(), () => {})));
  }
}
