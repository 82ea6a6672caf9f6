// pcsd HTTPS transport (what pcs does, over undici), with what pcs lacks:
// the server certificate is pinned (SHA-256, trust on first use) and checked
// before a single HTTP byte (and so the token) is sent; every failure is
// classified per host with the fix to try; responses are validated strictly.
// This module (and with it undici) is imported only where pcsd is used.
import type {TLSSocket} from 'node:tls';
import {Agent, buildConnector, request} from 'undici';
import {type Reporter} from '../report.js';
import {HostErrorCode, classifySocketError, hostError} from './host-errors.js';
import {type KnownHostsFile, PCSD_DEFAULT_PORT, knownHostsPath, lookupHost, readKnownHosts} from './known-hosts.js';
import {type PinsFile, pinKey, pinsPath, readPins, savePins} from './pins.js';
import {isJsonObject, parseJsonObject} from '../util/json.js';
import {dataJsonBody, formBody} from './py-json.js';
import type {AuthkeyRemove, AuthkeyState, AuthkeyWrite, HostFacts, HostTarget, HostTransport, ServiceAction} from './transport.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const AUTHKEY_ID = 'pacemaker_remote authkey';

export interface PcsdTransportOptions {
  reporter: Reporter;
  /** Total deadline per request (pcs --request-timeout; default 60 s). */
  requestTimeoutMs?: number;
  /** TCP + TLS handshake (default 10 s, never more than the request deadline). */
  connectTimeoutMs?: number;
  knownHostsPath?: string;
  pinsPath?: string;
}

/** Where to talk to pcsd of one node. */
export interface PcsdEndpoint {
  name: string;
  addr: string;
  port: number;
}

export interface PcsdResponse {
  status: number;
  text: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint: string;
}

type PinMode = 'verify' | 'repin';

interface RequestOptions {
  method: 'GET' | 'POST';
  body?: string;
  token?: string;
  pinMode?: PinMode;
  /** Describes the body for --debug (bodies may hold secrets and are never printed). */
  bodyLabel?: string;
}

export function pcsdUrl(ep: {addr: string; port: number}, path: string): string {
  const host = ep.addr.includes(':') && !ep.addr.startsWith('[') ? `[${ep.addr}]` : ep.addr;
  return `https://${host}:${ep.port}/${path}`;
}

/** Printable excerpt of a server body for messages (never trusted, never huge). */
function excerpt(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\s+$/, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
  return clean.length > max ? clean.slice(0, max) + '…' : clean;
}

const TOKEN_RE = /^[\x21-\x3a\x3c-\x7e]{1,1024}$/; // printable ASCII, no ';'

export class PcsdTransport implements HostTransport {
  readonly kind = 'pcsd' as const;
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  private readonly reporter: Reporter;
  private readonly khPath: string;
  private readonly pinPath: string;
  private knownHosts?: Promise<KnownHostsFile>;
  private pins?: Promise<PinsFile>;
  /** Pins first seen in this run (TOFU), saved after a successful answer. */
  private readonly pinned = new Set<string>();
  /** First certificate seen per endpoint in this run, before it is pinned (key → SHA-256). */
  private readonly firstSeen = new Map<string, string>();

  constructor(options: PcsdTransportOptions) {
    this.reporter = options.reporter;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.connectTimeoutMs = Math.min(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, this.requestTimeoutMs);
    this.khPath = options.knownHostsPath ?? knownHostsPath();
    this.pinPath = options.pinsPath ?? pinsPath();
  }

  private loadKnownHosts(): Promise<KnownHostsFile> {
    this.knownHosts ??= readKnownHosts(this.khPath);
    return this.knownHosts;
  }

  private loadPins(): Promise<PinsFile> {
    this.pins ??= readPins(this.pinPath);
    return this.pins;
  }

  /** Token and address of a node from known-hosts (dest_list[0], like pcs). */
  async resolve(host: HostTarget): Promise<{ep: PcsdEndpoint; token: string}> {
    const kh = await this.loadKnownHosts();
    const entry = lookupHost(kh, host.name);
    if (!entry) {
      throw hostError(HostErrorCode.notFound, host.name, `Host '${host.name}' is not known to pcs`, `authenticate it first: pcmkctl host auth ${host.name}`);
    }
    if (!TOKEN_RE.test(entry.token)) {
      throw hostError('KNOWN_HOSTS_INVALID', host.name, `the token stored for '${host.name}' in ${this.khPath} is not valid`, `run host auth ${host.name} again`);
    }
    const dest = entry.dest_list[0];
    const addr = host.addr ?? dest?.addr ?? host.name;
    const port = host.port ?? dest?.port ?? PCSD_DEFAULT_PORT;
    return {ep: {name: host.name, addr, port}, token: entry.token};
  }

  /**
   * One HTTPS request on a fresh connection (as pcs does). The certificate is
   * checked in the connector: a changed certificate destroys the socket
   * before the request is written.
   */
  async request(ep: PcsdEndpoint, path: string, options: RequestOptions): Promise<PcsdResponse> {
    const key = pinKey(ep.addr, ep.port);
    const stored = options.pinMode === 'repin' ? undefined : (await this.loadPins()).pins[key]?.sha256;
    const where = `pcsd at ${ep.addr.includes(':') ? `[${ep.addr}]` : ep.addr}:${ep.port}`;
    let connected = false;
    let fingerprint = '';
    let pinError: Error | undefined;
    let pinned: string | undefined;
    const base = buildConnector({rejectUnauthorized: false, timeout: this.connectTimeoutMs, maxCachedSessions: 0, ALPNProtocols: ['http/1.1']});
    const agent = new Agent({
      connect: (opts, cb) => {
        base(opts, (err, socket) => {
          if (err || !socket) return cb(err ?? new Error('no socket'), null);
          const cert = (socket as TLSSocket).getPeerCertificate?.();
          const fp = cert?.fingerprint256;
          if (!fp) {
            socket.destroy();
            pinError = Object.assign(new Error('the server presented no certificate'), {code: 'E_NO_CERT'});
            return cb(pinError, null);
          }
          fingerprint = fp;
          // requests side by side before the first pin is saved: the first
          // certificate seen is the one every other connection must present
          const pin = options.pinMode === 'repin' ? undefined : (stored ?? this.firstSeen.get(key));
          if (pin === undefined && options.pinMode !== 'repin') this.firstSeen.set(key, fp);
          if (pin && pin !== fp) {
            pinned = pin;
            socket.destroy();
            pinError = Object.assign(new Error('certificate changed'), {code: 'E_TLS_PIN'});
            return cb(pinError, null);
          }
          connected = true;
          cb(null, socket);
        });
      },
      connections: 1,
      pipelining: 0,
      headersTimeout: this.requestTimeoutMs,
      bodyTimeout: this.requestTimeoutMs,
    });
    const deadline = AbortSignal.timeout(this.requestTimeoutMs);
    const url = pcsdUrl(ep, path);
    this.reporter.debug(`pcsd: ${options.method} ${url}${options.body !== undefined ? ` (${options.bodyLabel ?? 'form'}, ${Buffer.byteLength(options.body)} bytes)` : ''}${options.token ? ' cookie token=<redacted>' : ''}`);
    const headers: Record<string, string> = {accept: '*/*', 'user-agent': 'pcmkctl'};
    if (options.token) headers.cookie = `token=${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    try {
      const res = await request(url, {dispatcher: agent, method: options.method, body: options.body, headers, signal: deadline});
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_RESPONSE_BYTES) {
          throw hostError(HostErrorCode.invalidResponse, ep.name, `Invalid response from ${where}: more than ${MAX_RESPONSE_BYTES} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      this.reporter.debug(`pcsd: ${ep.name}: HTTP ${res.statusCode}, ${size} bytes`);
      // A genuine HTTP answer came through a new certificate: pin it (TOFU).
      if (!stored && options.pinMode !== 'repin') await this.pinFirstUse(ep, key, fingerprint);
      return {status: res.statusCode, text, fingerprint};
    } catch (e) {
      if (e instanceof Error && e.name === 'PcmkctlError') throw e;
      const err = e as NodeJS.ErrnoException & {cause?: NodeJS.ErrnoException};
      if (pinError && (pinError as NodeJS.ErrnoException).code === 'E_TLS_PIN') {
        throw hostError(
          HostErrorCode.certChanged,
          ep.name,
          `the TLS certificate of ${where} changed: pinned ${pinned}, now presented ${fingerprint}; nothing was sent`,
          `if the certificate was replaced on purpose (check on the node: openssl x509 -in /var/lib/pcsd/pcsd.crt -noout -fingerprint -sha256), run 'pcmkctl host auth ${ep.name}' to pin the new one`,
        );
      }
      if (pinError) throw hostError(HostErrorCode.tls, ep.name, `TLS connection to ${where} failed: ${pinError.message}`);
      if (deadline.aborted || err.name === 'TimeoutError' || err.name === 'AbortError') {
        if (connected) {
          throw hostError(HostErrorCode.timeout, ep.name, `${where} did not answer within ${this.requestTimeoutMs / 1000}s`,
            'pcsd may be hung or overloaded; check it there, or raise --request-timeout');
        }
        throw hostError(HostErrorCode.connectTimeout, ep.name, `Unable to connect to ${where}: connection timed out`,
          `the host is down or a firewall drops ${ep.port}/tcp; allow it or raise --request-timeout`);
      }
      if (err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') {
        throw hostError(HostErrorCode.timeout, ep.name, `${where} did not answer in time (${err.code})`,
          'pcsd may be hung or overloaded; check it there, or raise --request-timeout');
      }
      if (connected) {
        // TLS was up and the certificate accepted: whatever broke now is the answer (not HTTP, connection dropped).
        throw hostError(HostErrorCode.invalidResponse, ep.name, `Invalid response from ${where}: ${err.message}`, `is it pcsd on port ${ep.port}?`);
      }
      const inner = (err.code ? err : (err.cause ?? err)) as NodeJS.ErrnoException;
      throw classifySocketError(inner, ep.name, where, ep.port, 'pcsd');
    } finally {
      agent.close().catch(() => {});
    }
  }

  private async pinFirstUse(ep: PcsdEndpoint, key: string, fingerprint: string): Promise<void> {
    if (!fingerprint || this.pinned.has(key)) return;
    this.pinned.add(key);
    await savePins([{key, sha256: fingerprint, host: ep.name}], this.pinPath);
    const pins = await this.loadPins();
    pins.pins[key] = {sha256: fingerprint, host: ep.name, pinnedAt: new Date().toISOString()};
    this.reporter.emit({code: 'PCSD_CERT_PINNED', severity: 'info', host: ep.name, message: `${ep.name}: pinned the pcsd certificate of ${key} (SHA-256 ${fingerprint})`});
  }

  /** Map a non-200 status to the classified error (pcs's texts where they exist). */
  private statusError(ep: PcsdEndpoint, path: string, res: PcsdResponse): Error {
    const n = ep.name;
    switch (res.status) {
      case 400:
        return hostError(HostErrorCode.commandFailed, n, excerpt(res.text) || 'HTTP error: 400');
      case 401:
        return hostError(HostErrorCode.notAuthorized, n, `Unable to authenticate to ${n} (HTTP error: 401): pcsd did not accept the stored token`, `run 'pcmkctl host auth ${n}'`);
      case 403:
        return hostError(HostErrorCode.permissionDenied, n, 'Permission denied (HTTP error: 403)', "the token's user lacks permission in pcs_settings.conf; authenticate as hacluster");
      case 404:
        if (path === 'remote/check_host') {
          return hostError(HostErrorCode.tooOld, n, 'Old version of pcsd is running on the node, therefore it is unable to perform the action', 'upgrade pcsd on the node');
        }
        return hostError(HostErrorCode.unsupported, n, `Unsupported command ${path} (HTTP error: 404)`, 'try upgrading pcsd on the node');
      default:
        return hostError(HostErrorCode.httpError, n, `Error connecting to ${n} (HTTP error: ${res.status})${res.text ? `: ${excerpt(res.text, 120)}` : ''}`);
    }
  }

  private invalid(ep: PcsdEndpoint, why: string, text: string): Error {
    this.reporter.debug(`pcsd: ${ep.name}: invalid response (${why}): ${excerpt(text, 200)}`);
    return hostError(HostErrorCode.invalidResponse, ep.name, `Invalid format of response (${why})`, 'is the pcsd version supported, and is it pcsd on that port?');
  }

  private parseJson(ep: PcsdEndpoint, text: string): Record<string, unknown> {
    return parseJsonObject(text, (why) => {
      throw this.invalid(ep, why, text);
    });
  }

  /** Authenticated action call: 200 + JSON object, everything else classified. */
  private async call(host: HostTarget, path: string, method: 'GET' | 'POST', body?: string, bodyLabel?: string): Promise<{ep: PcsdEndpoint; json: Record<string, unknown>; text: string}> {
    const {ep, token} = await this.resolve(host);
    const res = await this.request(ep, path, {method, body, token, bodyLabel});
    if (res.status !== 200) throw this.statusError(ep, path, res);
    return {ep, json: this.parseJson(ep, res.text), text: res.text};
  }

  /** §8: the results map has exactly the keys sent, each {code, message}. */
  private results(ep: PcsdEndpoint, json: Record<string, unknown>, field: 'files' | 'actions', keys: string[], text: string): Record<string, {code: string; message: string}> {
    const map = json[field];
    if (!isJsonObject(map)) throw this.invalid(ep, `no '${field}' object`, text);
    const got = Object.keys(map).sort();
    if (got.join('\u0000') !== [...keys].sort().join('\u0000')) throw this.invalid(ep, `unexpected items ${JSON.stringify(got)}`, text);
    const out: Record<string, {code: string; message: string}> = {};
    for (const k of keys) {
      const item = map[k];
      if (!isJsonObject(item) || typeof item.code !== 'string' || !('message' in item)) throw this.invalid(ep, `item '${k}' has no code/message`, text);
      out[k] = {code: item.code, message: typeof item.message === 'string' ? item.message : JSON.stringify(item.message)};
    }
    return out;
  }

  /**
   * POST remote/auth. Returns the token, or null for bad credentials (200 +
   * empty body). The certificate is (re-)pinned by the caller after success.
   */
  async authenticate(ep: PcsdEndpoint, username: string, password: string): Promise<{token: string | null; fingerprint: string}> {
    const res = await this.request(ep, 'remote/auth', {method: 'POST', body: pcsdBodies.auth(username, password), pinMode: 'repin', bodyLabel: 'credentials'});
    if (res.status === 200) {
      const token = res.text.trim();
      if (token === '') return {token: null, fingerprint: res.fingerprint};
      if (!TOKEN_RE.test(token)) throw this.invalid(ep, 'the token is not printable text', '<redacted>');
      return {token, fingerprint: res.fingerprint};
    }
    if (res.status === 400) throw hostError(HostErrorCode.commandFailed, ep.name, `pcsd could not authorize: ${excerpt(res.text)}`);
    throw this.statusError(ep, 'remote/auth', res);
  }

  /** The stored pin of an endpoint, if any. */
  async storedPin(ep: {addr: string; port: number}): Promise<string | undefined> {
    return (await this.loadPins()).pins[pinKey(ep.addr, ep.port)]?.sha256;
  }

  async checkAuth(host: HostTarget): Promise<void> {
    const {ep, json, text} = await this.call(host, 'remote/check_auth', 'POST', pcsdBodies.checkAuth());
    if (json.success !== true) throw this.invalid(ep, "no 'success': true", text);
  }

  async checkHost(host: HostTarget): Promise<HostFacts> {
    const {ep, json, text} = await this.call(host, 'remote/check_host', 'GET');
    const services = json.services as Record<string, Record<string, unknown>> | undefined;
    if (!services || typeof services !== 'object') throw this.invalid(ep, "no 'services' object", text);
    const flag = (svc: string, f: string): boolean => {
      const s = services[svc];
      if (!s || typeof s !== 'object' || typeof s[f] !== 'boolean') throw this.invalid(ep, `services.${svc}.${f} is not a boolean`, text);
      return s[f] as boolean;
    };
    if (typeof json.cluster_configuration_exists !== 'boolean') throw this.invalid(ep, "no boolean 'cluster_configuration_exists'", text);
    return {
      pacemakerRemoteInstalled: flag('pacemaker_remote', 'installed'),
      pacemakerRemoteRunning: flag('pacemaker_remote', 'running'),
      pacemakerRemoteEnabled: flag('pacemaker_remote', 'enabled'),
      pacemakerRunning: flag('pacemaker', 'running'),
      corosyncRunning: flag('corosync', 'running'),
      clusterConfigExists: json.cluster_configuration_exists,
    };
  }

  async readAuthkey(): Promise<AuthkeyState | null> {
    return null; // pcsd cannot read files back
  }

  async putAuthkey(host: HostTarget, key: Buffer, options: {overwrite: boolean}): Promise<AuthkeyWrite> {
    const {ep, json, text} = await this.call(host, 'remote/put_file', 'POST', pcsdBodies.putAuthkey(key, options.overwrite), 'authkey, redacted');
    const r = this.results(ep, json, 'files', [AUTHKEY_ID], text)[AUTHKEY_ID];
    if (r.code === 'written' || r.code === 'rewritten' || r.code === 'same_content' || r.code === 'conflict') return r.code;
    throw hostError(HostErrorCode.commandFailed, ep.name, `unable to distribute file 'pacemaker authkey': ${r.message || r.code}`);
  }

  async removeAuthkey(host: HostTarget): Promise<AuthkeyRemove> {
    const {ep, json, text} = await this.call(host, 'remote/remove_file', 'POST', pcsdBodies.removeAuthkey());
    const r = this.results(ep, json, 'files', [AUTHKEY_ID], text)[AUTHKEY_ID];
    if (r.code === 'deleted' || r.code === 'not_found') return r.code;
    throw hostError(HostErrorCode.commandFailed, ep.name, `unable to remove file 'pacemaker authkey': ${r.message || r.code}`);
  }

  async manageService(host: HostTarget, action: ServiceAction): Promise<void> {
    // One request per command, sent together: pcsd runs the commands of one
    // request one after the other (each through pcs's helper, ~0.5 s), two
    // requests side by side. The commands do not depend on each other.
    const commands = action === 'start-enable' ? (['start', 'enable'] as const) : (['stop', 'disable'] as const);
    const outcomes = await Promise.allSettled(
      commands.map(async (command) => {
        const key = `pacemaker_remote ${command}`;
        const {ep, json, text} = await this.call(host, 'remote/manage_services', 'POST', pcsdBodies.serviceCommand(command));
        return {ep, key, result: this.results(ep, json, 'actions', [key], text)[key]};
      }),
    );
    // a request that failed as a whole (unreachable, 401, ...) is the answer
    const broken = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (broken) throw broken.reason;
    const answers = outcomes.map((o) => (o as PromiseFulfilledResult<{ep: PcsdEndpoint; key: string; result: {code: string; message: string}}>).value);
    const failed = answers.filter((a) => a.result.code !== 'success');
    if (failed.length > 0) {
      throw hostError(HostErrorCode.commandFailed, failed[0].ep.name, failed.map((a) => `service command failed: ${a.key}: ${a.result.message || a.result.code}`).join('; '));
    }
  }

  async close(): Promise<void> {
    // Agents are per request and closed after each; nothing pooled.
  }
}

/** pcsd's request bodies (exported for byte-identity tests). */
export const pcsdBodies = {
  checkAuth: () => formBody({check_auth_only: '1'}),
  auth: (username: string, password: string) => formBody({username, password}),
  putAuthkey: (key: Buffer, overwrite: boolean) => dataJsonBody({[AUTHKEY_ID]: {data: key.toString('base64'), type: 'pcmk_remote_authkey', rewrite_existing: overwrite}}),
  removeAuthkey: () => dataJsonBody({[AUTHKEY_ID]: {type: 'pcmk_remote_authkey'}}),
  serviceCommand: (command: 'start' | 'enable' | 'stop' | 'disable') =>
    dataJsonBody({[`pacemaker_remote ${command}`]: {type: 'service_command', service: 'pacemaker_remote', command}}),
};
