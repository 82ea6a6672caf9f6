// Flags every command that reaches hosts shares (defined once, here):
//   static flags = {...transportFlags, ...};   then createTransport(flags, this.reporter)
import {Flags} from '@oclif/core';

export const requestTimeoutFlag = Flags.integer({
  description: 'seconds allowed per request to a host (connect + answer); default 60',
  min: 1,
  max: 86400,
  default: 60,
});

export const transportFlags = {
  transport: Flags.string({
    description: 'how to reach hosts: pcsd (HTTPS, token from host auth) or ssh',
    options: ['pcsd', 'ssh'],
    default: 'pcsd',
    helpGroup: 'TRANSPORT',
  }),
  'request-timeout': requestTimeoutFlag,
  'ssh-user': Flags.string({description: 'ssh login user (default: ~/.ssh/config User, else root)', helpGroup: 'TRANSPORT'}),
  'ssh-identity': Flags.string({description: 'ssh private key file (default: ~/.ssh/config IdentityFile, agent, ~/.ssh/id_*)', helpGroup: 'TRANSPORT'}),
  'ssh-port': Flags.integer({description: 'ssh port (default: ~/.ssh/config Port, else 22)', min: 1, max: 65535, helpGroup: 'TRANSPORT'}),
  'ssh-known-hosts': Flags.string({description: 'OpenSSH known_hosts file to verify host keys against (default: ~/.ssh/config UserKnownHostsFile, ~/.ssh/known_hosts)', helpGroup: 'TRANSPORT'}),
  'ssh-accept-new': Flags.boolean({description: 'accept and record host keys of hosts not in known_hosts yet (changed keys are always refused)', helpGroup: 'TRANSPORT'}),
  sudo: Flags.boolean({description: 'run host commands through sudo -n (for a non-root ssh user)', helpGroup: 'TRANSPORT'}),
};

/** The parsed values createTransport() needs (a subset of any command's flags). */
export interface TransportFlagValues {
  transport?: string;
  'request-timeout'?: number;
  'ssh-user'?: string;
  'ssh-identity'?: string;
  'ssh-port'?: number;
  'ssh-known-hosts'?: string;
  'ssh-accept-new'?: boolean;
  sudo?: boolean;
}
