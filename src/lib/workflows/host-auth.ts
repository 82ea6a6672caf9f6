// `host auth` / `host deauth`: obtain pcsd tokens (or store a pre-shared
// one), save them in pcs's known-hosts, pin the pcsd certificates.
import {readFile, stat} from 'node:fs/promises';
import {ExitCode, PcmkctlError, errorReport, fail, infoReport, warningReport, type Report, type Reporter} from '../report.js';
import {PCSD_DEFAULT_PORT, knownHostsPath, readKnownHosts, updateKnownHosts} from '../hosts/known-hosts.js';
import {pinKey, pinsPath, savePins, updatePins} from '../hosts/pins.js';
import {DEFAULT_HOST_CONCURRENCY, mapLimit} from '../util/concurrency.js';

export interface AuthHostSpec {
  name: string;
  addr: string;
  port: number;
  /** True when addr= was given (else addr defaults to the name). */
  explicitAddr: boolean;
}

const usage = (message: string): never => fail('USAGE', message, {hint: 'see --help'}, ExitCode.usage);

/** Parse `addr=` values: host, host:port, bare IPv6, [IPv6], [IPv6]:port. */
export function parseAddr(value: string): {addr: string; port: number} {
  const badPort = (): never => usage(`Invalid port number in address '${value}', use 1..65535`);
  const port = (p: string): number => {
    if (!/^\d{1,5}$/.test(p)) return badPort();
    const n = Number(p);
    return n >= 1 && n <= 65535 ? n : badPort();
  };
  if (value === '') return usage("Address cannot be empty (addr=)");
  if (value.startsWith('[')) {
    const m = /^\[([0-9A-Fa-f:.%a-zA-Z0-9]+)\](?::(.*))?$/.exec(value);
    if (!m || !m[1].includes(':')) return usage(`Invalid address '${value}'`);
    return {addr: m[1], port: m[2] === undefined ? PCSD_DEFAULT_PORT : port(m[2])};
  }
  const colons = (value.match(/:/g) ?? []).length;
  if (colons > 1) return {addr: value, port: PCSD_DEFAULT_PORT}; // bare IPv6
  if (colons === 1) {
    const [h, p] = value.split(':');
    if (h === '') return usage(`Invalid address '${value}'`);
    return {addr: h, port: port(p)};
  }
  return {addr: value, port: PCSD_DEFAULT_PORT};
}

/** Host names as pcs accepts them: non-empty, no '=', no whitespace or control characters. */
export function validateHostName(name: string): void {
  if (name.includes('=')) usage(`Invalid character '=' in host name '${name}'`);
  if (name === '' || /[\s\u0000-\u001f\u007f/]/.test(name)) usage(`Invalid host name '${name}'`);
  if (name.startsWith('-')) usage(`Invalid host name '${name}' (must not start with '-')`);
}

/** `(<host> [addr=<address>[:<port>]])...` → one spec per host, in order. */
export function parseHostAuthArgs(tokens: string[]): AuthHostSpec[] {
  const specs: AuthHostSpec[] = [];
  for (const t of tokens) {
    const eq = t.indexOf('=');
    if (eq === -1) {
      validateHostName(t);
      if (specs.some((s) => s.name === t)) usage(`Host '${t}' is specified more than once`);
      specs.push({name: t, addr: t, port: PCSD_DEFAULT_PORT, explicitAddr: false});
      continue;
    }
    const last = specs.at(-1);
    if (!last) return usage(`Invalid character '=' in host name '${t}'`);
    const key = t.slice(0, eq);
    if (key !== 'addr') return usage(`Unknown options '${key}' for host '${last.name}'`);
    if (last.explicitAddr) return usage(`Option 'addr' specified more than once for host '${last.name}'`);
    Object.assign(last, parseAddr(t.slice(eq + 1)), {explicitAddr: true});
  }
  if (specs.length === 0) usage('At least one host must be specified');
  return specs;
}

export interface HostAuthInput {
  hosts: AuthHostSpec[];
  username: string;
  password: string;
  requestTimeoutMs?: number;
  concurrency?: number;
}

export interface HostAuthResult {
  authorized: string[];
  failed: string[];
  knownHostsPath: string;
  dataVersion?: number;
}

/**
 * Authenticate against pcsd on every host in parallel. Successful tokens are
 * saved (and their certificates re-pinned) even when other hosts failed;
 * then partial failure → exit 4, total failure → exit 1 (file untouched).
 */
export async function hostAuth(input: HostAuthInput, reporter: Reporter): Promise<HostAuthResult> {
  const {PcsdTransport} = await import('../hosts/pcsd.js'); // with undici: only when used
  const transport = new PcsdTransport({reporter, requestTimeoutMs: input.requestTimeoutMs});
  const khPath = knownHostsPath();
  const results = await mapLimit(input.hosts, input.concurrency ?? DEFAULT_HOST_CONCURRENCY, async (h) => {
    const ep = {name: h.name, addr: h.addr, port: h.port};
    const {token, fingerprint} = await transport.authenticate(ep, input.username, input.password);
    if (token === null) {
      throw new PcmkctlError(errorReport('PCSD_BAD_CREDENTIALS', `${h.name}: Username and/or password is incorrect`, {
        host: h.name,
        hint: `the user must exist on ${h.name} and be in group haclient (pcsd uses PAM service 'pcsd')`,
      }));
    }
    return {spec: h, token, fingerprint, previousPin: await transport.storedPin(ep)};
  });
  const ok = results.flatMap((r) => (r.ok ? [r.value] : []));
  const failures: Report[] = [];
  const failed: string[] = [];
  results.forEach((r, i) => {
    if (r.ok) return;
    failed.push(input.hosts[i].name);
    failures.push(...(r.error instanceof PcmkctlError ? r.error.reports : [errorReport('E_UNEXPECTED', `${input.hosts[i].name}: ${(r.error as Error).message}`, {host: input.hosts[i].name})]));
  });
  let dataVersion: number | undefined;
  if (ok.length > 0) {
    const saved = await updateKnownHosts((f) => {
      for (const r of ok) f.known_hosts[r.spec.name] = {dest_list: [{addr: r.spec.addr, port: r.spec.port}], token: r.token};
    }, khPath);
    dataVersion = saved.file.data_version;
    await savePins(ok.map((r) => ({key: pinKey(r.spec.addr, r.spec.port), sha256: r.fingerprint, host: r.spec.name})));
    for (const r of ok) {
      if (r.previousPin && r.previousPin !== r.fingerprint) {
        reporter.emit(warningReport('PCSD_CERT_REPINNED', `${r.spec.name}: the pcsd certificate changed and is now pinned again: was ${r.previousPin}, now ${r.fingerprint}`, {host: r.spec.name}));
      }
      reporter.emit(infoReport('HOST_AUTHORIZED', `${r.spec.name}: Authorized`, {host: r.spec.name}));
    }
  }
  if (failures.length > 0) throw new PcmkctlError(failures, ok.length > 0 ? ExitCode.partial : ExitCode.error);
  return {authorized: ok.map((r) => r.spec.name), failed, knownHostsPath: khPath, dataVersion};
}

/** Read a pre-shared token file the way pcs does (≤ 256 bytes, stored base64). */
export async function readTokenFile(path: string): Promise<string> {
  let data: Buffer;
  try {
    const st = await stat(path);
    if (st.size > 256) fail('TOKEN_TOO_LONG', 'Maximal token size of 256 bytes exceeded');
    data = await readFile(path);
  } catch (e) {
    if (e instanceof PcmkctlError) throw e;
    return fail('TOKEN_UNREADABLE', `Unable to read the token file '${path}': ${(e as Error).message}`);
  }
  if (data.length > 256) fail('TOKEN_TOO_LONG', 'Maximal token size of 256 bytes exceeded');
  if (data.length === 0) fail('TOKEN_EMPTY', `File '${path}' is empty`);
  return data.toString('base64');
}

/** `host auth <host>... --token FILE`: no network, just known-hosts. */
export async function hostAuthWithToken(hosts: AuthHostSpec[], tokenFile: string, reporter: Reporter): Promise<HostAuthResult> {
  const token = await readTokenFile(tokenFile);
  const khPath = knownHostsPath();
  const saved = await updateKnownHosts((f) => {
    for (const h of hosts) f.known_hosts[h.name] = {dest_list: [{addr: h.addr, port: h.port}], token};
  }, khPath);
  for (const h of hosts) reporter.emit(infoReport('HOST_AUTHORIZED', `${h.name}: Authorized`, {host: h.name}));
  return {authorized: hosts.map((h) => h.name), failed: [], knownHostsPath: khPath, dataVersion: saved.file.data_version};
}

export interface HostDeauthResult {
  removed: string[];
  knownHostsPath: string;
}

/** Remove hosts (all when none named) from known-hosts, and their pins. */
export async function hostDeauth(names: string[], reporter: Reporter): Promise<HostDeauthResult> {
  const khPath = knownHostsPath();
  const current = await readKnownHosts(khPath);
  if (names.length > 0) {
    const unknown = names.filter((n) => !Object.prototype.hasOwnProperty.call(current.known_hosts, n));
    if (unknown.length > 0) {
      throw new PcmkctlError(unknown.map((n) => errorReport('HOST_NOT_FOUND', `Host '${n}' is not known to pcs`, {host: n, hint: 'nothing was removed'})));
    }
  } else if (Object.keys(current.known_hosts).length === 0) {
    fail('NONE_HOST_FOUND', 'None of hosts is known to pcs.');
  }
  let removed: string[] = [];
  const removedDests: string[] = [];
  await updateKnownHosts((f) => {
    const targets = names.length > 0 ? names : Object.keys(f.known_hosts);
    removed = targets.filter((n) => Object.prototype.hasOwnProperty.call(f.known_hosts, n));
    if (removed.length === 0) return false;
    for (const n of removed) {
      for (const d of f.known_hosts[n].dest_list) removedDests.push(pinKey(d.addr, d.port));
      delete f.known_hosts[n];
    }
  }, khPath);
  if (removed.length > 0) {
    await updatePins((p) => {
      let changed = false;
      for (const [k, pin] of Object.entries(p.pins)) {
        if ((pin.host !== undefined && removed.includes(pin.host)) || (pin.host === undefined && removedDests.includes(k))) {
          delete p.pins[k];
          changed = true;
        }
      }
      return changed;
    }, pinsPath());
  }
  for (const n of removed) reporter.emit(infoReport('HOST_DEAUTHORIZED', `${n}: Deauthorized`, {host: n}));
  return {removed, knownHostsPath: khPath};
}
