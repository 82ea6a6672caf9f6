import {Args} from '@oclif/core';
import {BaseCommand} from '../../../lib/cli/base-command.js';
import {nodeDeleteFlags, nodeDeleteInput} from '../../../lib/cli/node-flags.js';
import {renderNodeDelete} from '../../../lib/cli/render.js';
import {deleteNode} from '../../../lib/workflows/node-delete.js';

export default class RemoveGuest extends BaseCommand {
  static override summary = 'Remove a guest node: its meta attributes, node entry, then service and key on the guest';
  static override description = `The identifier is the guest node name, its remote-addr or the resource id, as in pcs. The resource (the VM or container) is kept; its remote-node, remote-addr, remote-port and remote-connect-timeout meta attributes are removed in one atomic CIB change (the meta set stays), the node is purged (crm_node --force --remove), then pacemaker_remote is stopped and disabled on the guest and its authkey removed. References left in the CIB (e.g. location constraints on the node) are reported. --deauth also forgets the guest's pcsd token.

Replaces: pcs cluster node remove-guest <node identifier>

${BaseCommand.exitCodesHelp}`;
  static override aliases = ['cluster:node:delete-guest'];
  static override args = {identifier: Args.string({description: 'guest node name, remote-addr or resource id', required: true})};
  static override flags = nodeDeleteFlags;
  static override examples = ['<%= config.bin %> cluster node remove-guest remote1', '<%= config.bin %> -f cib.xml cluster node remove-guest vm-guest1'];

  async run(): Promise<void> {
    const {args, flags} = await this.parse(RemoveGuest);
    const result = await deleteNode(nodeDeleteInput('guest', args.identifier, flags, this.reporter));
    this.finish({changed: result.cib.changed && !flags['dry-run'], dryRun: flags['dry-run'], result}, renderNodeDelete);
  }
}
