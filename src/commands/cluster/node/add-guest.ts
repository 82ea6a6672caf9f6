import {BaseCommand} from '../../../lib/cli/base-command.js';
import {nodeAddChanged, nodeAddCommon, nodeAddFlags} from '../../../lib/cli/node-flags.js';
import {renderNodeAdd} from '../../../lib/cli/render.js';
import {addGuest} from '../../../lib/workflows/node-add.js';
import {parseAddGuestArgs} from '../../../lib/workflows/node-args.js';

export default class AddGuest extends BaseCommand {
  static override summary = 'Make a resource (a VM or container) a guest node: key, service and meta attributes, atomically';
  static override description = `Sets the guest node meta attributes on the resource's first meta set exactly as pcs 0.11.5 does (remote-node, remote-addr -- defaulted from known-hosts, else the node name --, remote-port, remote-connect-timeout), after preparing the guest over pcsd (default) or SSH: checks it, makes sure it has this cluster's authkey (a different key is refused without --force), enables and starts pacemaker_remote. Refuses resources that cannot host a guest (clones, fence devices, remote connections) without --force. Validated first, undone on failure, idempotent.

With -f only the CIB file is changed and the host steps are listed as skipped.

Replaces: pcs cluster node add-guest <node name> <resource id> [options] [--wait[=n]]

${BaseCommand.exitCodesHelp}`;
  static override strict = false;
  static override usage = ['cluster node add-guest <node name> <resource id> [remote-addr=<address>] [remote-port=<port>] [remote-connect-timeout=<timeout>] [--skip-offline] [--wait[=<seconds>]] [--transport pcsd|ssh] [--force] [--dry-run]'];
  static override examples = [
    '<%= config.bin %> cluster node add-guest guest1 vm-guest1',
    '<%= config.bin %> cluster node add-guest guest2 vm-guest2 remote-addr=192.0.2.22 remote-connect-timeout=90s --transport ssh --wait',
  ];
  static override flags = nodeAddFlags;

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(AddGuest);
    const args = parseAddGuestArgs(argv as string[]);
    const result = await addGuest(
      args,
      nodeAddCommon(flags, this.reporter),
    );
    this.finish({changed: nodeAddChanged(result), dryRun: flags['dry-run'], result}, renderNodeAdd);
  }
}
