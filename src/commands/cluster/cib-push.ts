import {Args, Flags} from '@oclif/core';
import {openCibStore} from '../../lib/cib/open-store.js';
import {BaseCommand, dryRunFlag, forceFlag} from '../../lib/cli/base-command.js';
import {renderCibChange} from '../../lib/cli/render.js';
import {fail} from '../../lib/report.js';
import {cibPush} from '../../lib/workflows/cib-transfer.js';

export default class ClusterCibPush extends BaseCommand {
  static override summary = 'Push an edited CIB file to the live cluster, refusing to overwrite concurrent changes';
  static override description = `Pushes the configuration section of FILE (the status section belongs to the cluster). Refuses when the live CIB changed since FILE was taken with 'pcmkctl cluster cib FILE' (the epoch tells). With diff-against=ORIGINAL only the difference ORIGINAL -> FILE is applied on top of the current live CIB, so concurrent changes elsewhere survive. Every push is a versioned patch (compare-and-swap), validated with crm_verify first.

--config is accepted for pcs compatibility (pcmkctl always pushes the configuration only).

Replaces: pcs cluster cib-push FILE [--config] [diff-against=ORIGINAL]

${BaseCommand.exitCodesHelp}`;
  static override strict = false;
  static override usage = ['cluster cib-push FILE [diff-against=ORIGINAL] [--config] [--force] [--dry-run] [--json]'];
  static override args = {file: Args.string({description: 'CIB file to push', required: true})};
  static override flags = {
    config: Flags.boolean({description: 'push the configuration section only (always the case; accepted for pcs compatibility)'}),
    force: forceFlag,
    'dry-run': dryRunFlag,
  };
  static override examples = ['<%= config.bin %> cluster cib-push vm_cfg --config', '<%= config.bin %> cluster cib-push vm_cfg diff-against=vm_cfg.orig'];

  async run(): Promise<void> {
    const {args, argv, flags} = await this.parse(ClusterCibPush);
    let diffAgainst: string | undefined;
    for (const token of (argv as string[]).slice(1)) {
      if (token.startsWith('diff-against=') && token.length > 'diff-against='.length && diffAgainst === undefined) diffAgainst = token.slice('diff-against='.length);
      else if (token.startsWith('scope=')) fail('UNSUPPORTED_OPTION', `'${token}' is not supported: pcmkctl pushes the configuration section`);
      else fail('UNKNOWN_OPTION', `unexpected argument '${token}' (expected diff-against=ORIGINAL)`);
    }
    const result = await cibPush({store: openCibStore(flags.file), file: args.file, diffAgainst, force: flags.force, dryRun: flags['dry-run'], reporter: this.reporter});
    this.finish({changed: result.cib.changed && !result.cib.dryRun, dryRun: result.cib.dryRun, result}, (r) => renderCibChange(r.cib, `CIB from '${r.file}'`));
  }
}
