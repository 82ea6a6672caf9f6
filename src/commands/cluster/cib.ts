import {Args} from '@oclif/core';
import {openCibStore} from '../../lib/cib/open-store.js';
import {BaseCommand} from '../../lib/cli/base-command.js';
import {cibDump} from '../../lib/workflows/cib-transfer.js';

export default class ClusterCib extends BaseCommand {
  static override summary = 'Print the live CIB, or save it to a file for offline editing with -f';
  static override description = `With FILE, the copy records the CIB version it was taken from, so 'cluster cib-push' can refuse to overwrite changes made in the meantime. The file is created with mode 0600 (a CIB can hold fence device passwords).

Replaces: pcs cluster cib [FILE]

${BaseCommand.exitCodesHelp}`;
  static override args = {file: Args.string({description: 'write the CIB to this file instead of stdout'})};
  static override examples = ['<%= config.bin %> cluster cib vm_cfg', '<%= config.bin %> -f vm_cfg resource update vm-guest1 meta remote-node=guest1 --force', '<%= config.bin %> cluster cib-push vm_cfg --config'];

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ClusterCib);
    const result = await cibDump(openCibStore(flags.file), args.file, this.reporter);
    this.finish({changed: false, result}, (r) => r.xml);
  }
}
