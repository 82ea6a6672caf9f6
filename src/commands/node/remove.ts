import {Args} from '@oclif/core';
import {openCibStore} from '../../lib/cib/open-store.js';
import {BaseCommand, dryRunFlag, forceFlag} from '../../lib/cli/base-command.js';
import {renderCibChange} from '../../lib/cli/render.js';
import {nodeRemove} from '../../lib/workflows/node-remove.js';

export default class NodeRemove extends BaseCommand {
  static override summary = 'Purge a removed node from Pacemaker (the guarded crm_node --force --remove)';
  static override description = `Refuses while the CIB still references the node (a remote connection resource with that name or server, a guest's remote-node, location constraints or rules, node attributes, fencing levels) and lists the references; --force purges anyway.

Live: runs 'crm_node --force --remove <name>' (names made only of digits are refused: crm_node would take them as node ids). With -f: deletes the node's <node> and <node_state> entries (and orphaned connection history) from the file itself, because crm_node ignores CIB files. A node that is already gone is not an error.

Replaces: pcs cluster node clear <name>, crm_node --force --remove <name>

${BaseCommand.exitCodesHelp}`;
  static override aliases = ['cluster:node:clear'];
  static override args = {name: Args.string({description: 'node name', required: true})};
  static override flags = {force: forceFlag, 'dry-run': dryRunFlag};
  static override examples = ['<%= config.bin %> node remove remote1', '<%= config.bin %> -f cib.xml node remove remote1 --force'];

  async run(): Promise<void> {
    const {args, flags} = await this.parse(NodeRemove);
    const result = await nodeRemove({store: openCibStore(flags.file), name: args.name, force: flags.force, dryRun: flags['dry-run'], reporter: this.reporter});
    const changed = result.method !== 'none' && !flags['dry-run'];
    this.finish({changed, dryRun: flags['dry-run'], result}, (r) =>
      r.cib ? renderCibChange(r.cib, `node '${r.node}'`) : r.method === 'crm_node' && !flags['dry-run'] ? `node '${r.node}': removed from pacemaker` : undefined,
    );
  }
}
