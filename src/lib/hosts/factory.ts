// One place that turns the shared transport flags into a HostTransport.
// Usage in a command:  static flags = {...transportFlags};
//   const transport = await createTransport(flags, this.reporter); try {...} finally {await transport.close()}
import type {TransportFlagValues} from '../cli/transport-flags.js';
import {fail, type Reporter} from '../report.js';
import type {HostTransport} from './transport.js';

export interface TransportExtras {
  /** SSH login password (e.g. from PCMKCTL_SSH_PASSWORD); never logged. */
  sshPassword?: string;
  knownHostsPath?: string;
  pinsPath?: string;
}

export async function createTransport(flags: TransportFlagValues, reporter: Reporter, extras: TransportExtras = {}): Promise<HostTransport> {
  const kind = flags.transport ?? 'pcsd';
  const requestTimeoutMs = (flags['request-timeout'] ?? 60) * 1000;
  if (kind === 'pcsd') {
    for (const f of ['ssh-user', 'ssh-identity', 'ssh-port', 'ssh-known-hosts'] as const) {
      if (flags[f] !== undefined) fail('USAGE', `--${f} needs --transport ssh`, {hint: 'see --help'}, 2);
    }
    if (flags['ssh-accept-new'] || flags.sudo) fail('USAGE', `--${flags.sudo ? 'sudo' : 'ssh-accept-new'} needs --transport ssh`, {hint: 'see --help'}, 2);
    const {PcsdTransport} = await import('./pcsd.js');
    return new PcsdTransport({reporter, requestTimeoutMs, knownHostsPath: extras.knownHostsPath, pinsPath: extras.pinsPath});
  }
  if (kind === 'ssh') {
    const {SshTransport} = await import('./ssh.js');
    return new SshTransport({
      reporter,
      requestTimeoutMs,
      user: flags['ssh-user'],
      identity: flags['ssh-identity'],
      port: flags['ssh-port'],
      knownHostsFile: flags['ssh-known-hosts'],
      acceptNew: flags['ssh-accept-new'] ?? false,
      sudo: flags.sudo ?? false,
      password: extras.sshPassword ?? process.env.PCMKCTL_SSH_PASSWORD,
    });
  }
  return fail('USAGE', `Unknown transport '${kind}', use pcsd or ssh`, {hint: 'see --help'}, 2);
}
