import {Args} from '@oclif/core';
import {BaseCommand} from '../../../lib/cli/base-command.js';
import {nodeDeleteFlags, nodeDeleteInput} from '../../../lib/cli/node-flags.js';
import {renderNodeDelete} from '../../../lib/cli/render.js';
import {deleteNode} from '../../../lib/workflows/node-delete.js';

export default class RemoveRemote extends BaseCommand {
  static override summary = 'Remove a Pacemaker Remote node: connection resource, node entry, then service and key on the host';
  static override description = `The identifier is the node name (= resource id) or its server address, as in pcs. Order (safer than pcs): the host must be reachable (or --skip-offline); the connection resource and the constraints referencing it are deleted in one atomic CIB change, so the cluster disconnects cleanly; the node is purged (crm_node --force --remove); then pacemaker_remote is stopped and disabled on the host and its authkey removed. References left in the CIB are reported. --deauth also forgets the host's pcsd token.

Replaces: pcs cluster node remove-remote <node identifier>

${BaseCommand.exitCodesHelp}`;
  static override aliases = ['cluster:node:delete-remote'];
  static override args = {identifier: Args.string({description: 'node name, resource id or address', required: true})};
  static override flags = nodeDeleteFlags;
  static override examples = ['<%= config.bin %> cluster node remove-remote remote1', '<%= config.bin %> -f cib.xml cluster node remove-remote 192.0.2.11'];

  async run(): Promise<void> {
    const {args, flags} = await this.parse(RemoveRemote);
    const result = await deleteNode(nodeDeleteInput('remote', args.identifier, flags, this.reporter));
    this.finish({changed: result.cib.changed && !flags['dry-run'], dryRun: flags['dry-run'], result}, renderNodeDelete);
  }
}
