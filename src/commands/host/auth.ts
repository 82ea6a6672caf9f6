import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../../lib/cli/base-command.js';
import {promptLine, readPassword} from '../../lib/cli/secrets.js';
import {requestTimeoutFlag} from '../../lib/cli/transport-flags.js';
import {hostAuth, hostAuthWithToken, parseHostAuthArgs} from '../../lib/workflows/host-auth.js';

export default class HostAuth extends BaseCommand {
  static override summary = 'Authenticate to pcsd on hosts and store the tokens in pcs known-hosts';
  static override description = `Same grammar as pcs: (<host> [addr=<address>[:<port>]])... The password comes from -p, the environment variable PCMKCTL_PASSWORD, stdin when it is not a terminal, or a hidden prompt. Tokens of the hosts that succeeded are saved even when others fail (exit 4). The pcsd certificate of every authorized host is pinned (SHA-256) again; later requests refuse a changed certificate until host auth is repeated.

With --token FILE the pre-shared token (see pcs pcsd accept_token) is stored without contacting the hosts.`;
  static override examples = [
    '<%= config.bin %> host auth remote1 addr=10.0.0.11 remote2 -u hacluster',
    'echo "$PW" | <%= config.bin %> host auth node1 addr=[fd00::1]:2224 -u hacluster',
    '<%= config.bin %> host auth remote1 --token /root/remote1.token',
  ];
  static override strict = false;
  static override args = {host: Args.string({description: 'host name, optionally followed by addr=<address>[:<port>]', required: true})};
  static override flags = {
    username: Flags.string({char: 'u', description: 'pcsd user (default: hacluster; prompted on a terminal)'}),
    password: Flags.string({char: 'p', description: 'password (prefer PCMKCTL_PASSWORD or stdin: argv is visible to other users)'}),
    token: Flags.string({description: 'store the pre-shared token from this file (≤ 256 bytes) without contacting the hosts'}),
    'request-timeout': requestTimeoutFlag,
  };

  async run() {
    const {argv, flags} = await this.parse(HostAuth);
    const hosts = parseHostAuthArgs(argv as string[]);
    if (flags.token) {
      const result = await hostAuthWithToken(hosts, flags.token, this.reporter);
      return this.finish({changed: true, result}, () => undefined);
    }
    const username = flags.username ?? (process.stdin.isTTY && process.env.PCMKCTL_PASSWORD === undefined && flags.password === undefined ? (await promptLine('Username: ')) || 'hacluster' : 'hacluster');
    const password = await readPassword(flags.password, 'PCMKCTL_PASSWORD');
    const result = await hostAuth({hosts, username, password, requestTimeoutMs: flags['request-timeout'] * 1000}, this.reporter);
    return this.finish({changed: true, result}, () => undefined);
  }
}
