import {Args} from '@oclif/core';
import {openCibStore} from '../../lib/cib/open-store.js';
import {BaseCommand, dryRunFlag, forceFlag} from '../../lib/cli/base-command.js';
import {renderCibChange} from '../../lib/cli/render.js';
import {resourceUpdate} from '../../lib/workflows/resource-update.js';

export default class ResourceUpdate extends BaseCommand {
  static override summary = 'Set or remove meta attributes of a resource (pcs resource update <id> meta ...)';
  static override description = `Same grammar and semantics as pcs: the first meta_attributes set is used or created, an empty value removes the attribute (the set stays), setting a value it already has changes nothing. Works on primitives, groups, clones and bundles.

Guest node connection attributes are guarded: setting or changing remote-node or remote-addr needs --force (use 'cluster node add-guest' / 'remove-guest' instead); remote-port must be a port, remote-connect-timeout a duration.

The change is validated with crm_verify and committed atomically: a file is replaced under a lock; the live CIB is patched with a versioned diff and retried if someone else changed it meanwhile.

Replaces: pcs resource update <id> meta <name>=<value>...   (and pcs resource meta)

${BaseCommand.exitCodesHelp}`;
  static override usage = ['resource update <resource id> meta <name>=<value>... [--force] [--dry-run] [-f FILE] [--json]'];
  static override examples = [
    '<%= config.bin %> resource update vm-guest1 meta target-role=Stopped',
    '<%= config.bin %> -f vm_cfg resource update vm-guest1 meta resource-stickiness=100 priority=',
  ];
  static override strict = false;
  static override args = {
    resource: Args.string({description: 'resource id (primitive, group, clone or bundle)', required: true}),
  };
  static override flags = {force: forceFlag, 'dry-run': dryRunFlag};

  async run(): Promise<void> {
    const {args, argv, flags} = await this.parse(ResourceUpdate);
    const result = await resourceUpdate({
      store: openCibStore(flags.file),
      resourceId: args.resource,
      tokens: (argv as string[]).slice(1),
      force: flags.force,
      dryRun: flags['dry-run'],
      reporter: this.reporter,
    });
    this.finish({changed: result.cib.changed && !result.cib.dryRun, dryRun: result.cib.dryRun, result}, (r) => renderCibChange(r.cib, `resource '${r.resource}'`));
  }
}
