// `node remove <name>` (alias `cluster node clear`): the guarded form of
// `crm_node --force --remove`. Refuses while the CIB still references the
// node; live mode asks Pacemaker to purge it, file mode edits the XML
// itself (crm_node ignores CIB_file and would touch the live daemons).
import type {CibStore} from '../cib/store.js';
import {nodeEntries, nodeReferences, nodeStates} from '../cib/transforms/node-references.js';
import {purgeNode} from '../cib/transforms/node-purge.js';
import {errorReport, fail, infoReport, PcmkctlError, type Reporter} from '../report.js';
import {exec} from '../util/exec.js';
import {isXmlSafe} from '../cib/xml.js';
import {summarizeCommit, type CibChangeSummary} from './cib-change.js';
import {printable} from './options.js';

export interface NodeRemoveInput {
  store: CibStore;
  name: string;
  force: boolean;
  dryRun: boolean;
  reporter: Reporter;
}

export interface NodeRemoveResult {
  node: string;
  /** References that were present (and overridden with --force). */
  references: string[];
  /** What was done: crm_node in live mode, XML edits in file mode. */
  method: 'crm_node' | 'cib-edit' | 'none';
  cib?: CibChangeSummary;
}

export function checkNodeName(name: string): void {
  if (name === '' || name.trim() !== name || !isXmlSafe(name) || /[\n\r\t]/.test(name) || name.length > 255) {
    fail('INVALID_NODE_NAME', `invalid node name '${printable(name)}'`);
  }
}

export async function nodeRemove(input: NodeRemoveInput): Promise<NodeRemoveResult> {
  const {store, name, force, dryRun, reporter} = input;
  checkNodeName(name);
  if (store.kind === 'live' && /^\d+$/.test(name)) {
    fail('NODE_NAME_IS_NUMBER', `node name '${name}' is all digits: crm_node would take it as a node id and could remove another node`, {
      hint: 'remove it by editing the CIB, or rename the node',
    });
  }
  const snapshot = await store.read(reporter);
  const references = nodeReferences(snapshot.doc, name).map((r) => r.description);
  if (references.length > 0) {
    const message = `node '${name}' is still referenced in the CIB: ${references.join(', ')}`;
    if (!force) {
      throw new PcmkctlError(errorReport('NODE_STILL_REFERENCED', message, {forceable: 'force', hint: 'remove those first, or use --force to purge the node anyway'}));
    }
    reporter.emit({code: 'NODE_STILL_REFERENCED', severity: 'warning', message});
  }

  if (store.kind === 'file') {
    const commit = await store.update((doc) => ({changed: purgeNode(doc, name)}), {dryRun, reporter});
    if (!commit.changed) reporter.emit(infoReport('NODE_ABSENT', `node '${name}' is not in ${store.label}; nothing to do`));
    return {node: name, references, method: commit.changed ? 'cib-edit' : 'none', cib: summarizeCommit(store, commit, reporter)};
  }

  const present = nodeEntries(snapshot.doc, name).length + nodeStates(snapshot.doc, name).length > 0;
  if (!present) {
    reporter.emit(infoReport('NODE_ABSENT', `node '${name}' is not in the CIB; nothing to do`));
    return {node: name, references, method: 'none'};
  }
  if (dryRun) {
    reporter.emit(infoReport('DRY_RUN', `would run: crm_node --force --remove ${name}`));
    return {node: name, references, method: 'crm_node'};
  }
  const r = await exec('crm_node', ['--force', '--remove', name], {reporter, timeoutMs: 120_000});
  if (r.code !== 0) {
    fail('CRM_NODE_FAILED', `unable to remove node '${name}' from pacemaker: ${(r.stderr || r.stdout).trim().split('\n')[0] || `crm_node exited with ${r.code}`}`);
  }
  return {node: name, references, method: 'crm_node'};
}
