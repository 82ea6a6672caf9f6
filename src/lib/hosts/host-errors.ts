// Per-host failure classes shared by the pcsd and ssh transports: one code
// per cause, the host name verbatim, and the fix to try as the hint.
import {errorReport, PcmkctlError, type Report} from '../report.js';

export const HostErrorCode = {
  notFound: 'HOST_NOT_FOUND',
  unresolved: 'HOST_NAME_UNRESOLVED',
  refused: 'HOST_CONNECTION_REFUSED',
  unreachable: 'HOST_UNREACHABLE',
  connectTimeout: 'HOST_CONNECT_TIMEOUT',
  timeout: 'HOST_TIMED_OUT',
  tls: 'HOST_TLS_FAILED',
  certChanged: 'PCSD_CERT_CHANGED',
  notAuthorized: 'PCSD_NOT_AUTHORIZED',
  permissionDenied: 'PCSD_PERMISSION_DENIED',
  unsupported: 'PCSD_UNSUPPORTED_COMMAND',
  tooOld: 'PCSD_VERSION_TOO_OLD',
  commandFailed: 'PCSD_COMMAND_UNSUCCESSFUL',
  httpError: 'PCSD_HTTP_ERROR',
  badCredentials: 'PCSD_BAD_CREDENTIALS',
  invalidResponse: 'HOST_INVALID_RESPONSE',
  connectFailed: 'HOST_CONNECT_FAILED',
  sshHostKeyUnknown: 'SSH_HOST_KEY_UNKNOWN',
  sshHostKeyChanged: 'SSH_HOST_KEY_CHANGED',
  sshHostKeyRevoked: 'SSH_HOST_KEY_REVOKED',
  sshAuthFailed: 'SSH_AUTH_FAILED',
  sshSudoPassword: 'SSH_SUDO_PASSWORD_REQUIRED',
  sshCommandFailed: 'SSH_COMMAND_FAILED',
} as const;

/** Codes that mean "could not reach the host" (pcs: forceable with --skip-offline). */
export const OFFLINE_CODES: ReadonlySet<string> = new Set([
  HostErrorCode.unresolved,
  HostErrorCode.refused,
  HostErrorCode.unreachable,
  HostErrorCode.connectTimeout,
  HostErrorCode.timeout,
  HostErrorCode.tls,
  HostErrorCode.connectFailed,
]);

export function hostError(code: string, host: string, message: string, hint?: string, extra: Partial<Report> = {}): PcmkctlError {
  const forceable = OFFLINE_CODES.has(code) || code === HostErrorCode.notFound ? 'skip-offline' : undefined;
  return new PcmkctlError(errorReport(code, `${host}: ${message}`, {host, hint, forceable, ...extra}));
}

/** True when the error says the host could not be reached at all. */
export function isOfflineError(e: unknown): boolean {
  return e instanceof PcmkctlError && OFFLINE_CODES.has(e.code);
}

const PROXY_VARS = ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'];

/**
 * Classify a socket-level error (DNS, refused, unreachable, TLS) into a
 * host error. `what` is e.g. "pcsd at 10.0.0.1:2224".
 */
export function classifySocketError(err: NodeJS.ErrnoException & {level?: string}, host: string, what: string, port: number, service: 'pcsd' | 'sshd'): PcmkctlError {
  const code = err.code ?? '';
  const proxy = service === 'pcsd' && PROXY_VARS.some((v) => process.env[v]) ? ' (note: pcmkctl does not use the proxy set in the environment)' : '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return hostError(HostErrorCode.unresolved, host, `Unable to connect to ${what}: the name does not resolve (${code})`,
      service === 'pcsd' ? `check the name, or give an address with 'host auth ${host} addr=<address>'` : 'check the name, or set HostName in ~/.ssh/config');
  }
  if (code === 'ECONNREFUSED') {
    return hostError(HostErrorCode.refused, host, `Unable to connect to ${what}: connection refused`,
      service === 'pcsd'
        ? `is pcsd running there and listening on port ${port}? (PCSD_PORT / PCSD_BIND_ADDR in /etc/default/pcsd)${proxy}`
        : `is sshd running there and listening on port ${port}? (--ssh-port / Port in ~/.ssh/config)`);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EHOSTDOWN' || code === 'ENETDOWN') {
    return hostError(HostErrorCode.unreachable, host, `Unable to connect to ${what}: host unreachable (${code})`,
      `check routing, and that a firewall allows ${port}/tcp`);
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT' || err.level === 'client-timeout') {
    return hostError(HostErrorCode.connectTimeout, host, `Unable to connect to ${what}: connection timed out`,
      `the host is down or a firewall drops ${port}/tcp; allow it or raise --request-timeout`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /tls|ssl|certificate|handshake/i.test(`${code} ${err.message}`)) {
    return hostError(HostErrorCode.tls, host, `TLS connection to ${what} failed: ${err.message}${code ? ` (${code})` : ''}`,
      service === 'pcsd' ? `is it pcsd on port ${port}? check PCSD_SSL_OPTIONS / PCSD_SSL_CIPHERS there` : undefined);
  }
  return hostError(HostErrorCode.connectFailed, host, `Unable to connect to ${what}: ${err.message}${code ? ` (${code})` : ''}${proxy}`);
}
