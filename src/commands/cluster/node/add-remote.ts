import {Flags} from '@oclif/core';
import {BaseCommand} from '../../../lib/cli/base-command.js';
import {nodeAddChanged, nodeAddCommon, nodeAddFlags} from '../../../lib/cli/node-flags.js';
import {renderNodeAdd} from '../../../lib/cli/render.js';
import {addRemote} from '../../../lib/workflows/node-add.js';
import {parseAddRemoteArgs} from '../../../lib/workflows/node-args.js';

export default class AddRemote extends BaseCommand {
  static override summary = 'Add a Pacemaker Remote node: key, service and connection resource, atomically';
  static override description = `Creates the ocf:pacemaker:remote connection resource exactly as pcs 0.11.5 does (default operations from the agent's metadata), after preparing the host over pcsd (default) or SSH: checks it, makes sure it has this cluster's authkey (0400 hacluster:haclient; generated if the cluster has none; a different key is refused without --force), enables and starts pacemaker_remote. Everything is validated before anything is touched; if a step fails, what this run changed is undone. Running the same add again changes nothing and says so.

With -f only the CIB file is changed and the host steps are listed as skipped. --dry-run shows the CIB diff and the host actions in order.

Replaces: pcs cluster node add-remote <node name> [<node address>] [options] [op ...] [meta ...] [--wait[=n]]

${BaseCommand.exitCodesHelp}`;
  static override strict = false;
  static override usage = ['cluster node add-remote <node name> [<node address>] [port=<port>] [reconnect_interval=<interval>] [op <action> <op options>...]... [meta <meta options>...] [--no-default-ops] [--skip-offline] [--wait[=<seconds>]] [--transport pcsd|ssh] [--force] [--dry-run]'];
  static override examples = [
    '<%= config.bin %> cluster node add-remote remote1 192.0.2.11',
    '<%= config.bin %> cluster node add-remote remote2 192.0.2.12 reconnect_interval=60 op monitor interval=20s --transport ssh --wait',
    '<%= config.bin %> -f cib.xml cluster node add-remote remote3 192.0.2.13 --dry-run',
  ];
  static override flags = {
    ...nodeAddFlags,
    'no-default-ops': Flags.boolean({description: 'create only the given operations (and monitor)'}),
  };

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(AddRemote);
    const args = parseAddRemoteArgs(argv as string[]);
    const result = await addRemote(
      {...args, noDefaultOps: flags['no-default-ops']},
      nodeAddCommon(flags, this.reporter),
    );
    this.finish({changed: nodeAddChanged(result), dryRun: flags['dry-run'], result}, renderNodeAdd);
  }
}
