import {Args} from '@oclif/core';
import {BaseCommand} from '../../lib/cli/base-command.js';
import {validateHostName, hostDeauth} from '../../lib/workflows/host-auth.js';

export default class HostDeauth extends BaseCommand {
  static override summary = 'Remove hosts from pcs known-hosts (all hosts when none is named)';
  static override description = 'Forgets the stored pcsd tokens (and certificate pins) of the named hosts. A named host that is not known is an error and nothing is removed.';
  static override examples = ['<%= config.bin %> host deauth remote1', '<%= config.bin %> host deauth'];
  static override strict = false;
  static override args = {host: Args.string({description: 'host name', required: false})};
  static override flags = {};

  async run() {
    const {argv} = await this.parse(HostDeauth);
    const names = argv as string[];
    for (const n of names) validateHostName(n);
    const result = await hostDeauth(names, this.reporter);
    return this.finish({changed: result.removed.length > 0, result}, () => undefined);
  }
}
