// Text rendering of results shared by several commands (stdout).
import type {NodeAddResult} from '../workflows/node-add.js';
import type {NodeDeleteResult} from '../workflows/node-delete.js';
import {renderPlan, type HostAction} from '../workflows/host-steps.js';
import type {CibChangeSummary} from '../workflows/cib-change.js';

export function renderCibChange(cib: CibChangeSummary, subject: string): string {
  if (cib.dryRun) return cib.diff ? `${cib.diff}(dry run: nothing was written)` : `${subject}: no change (dry run)`;
  if (!cib.changed) return `${subject}: unchanged`;
  return `${subject}: updated ${cib.target === 'live' ? 'the live CIB' : 'the CIB file'} (version ${cib.versionBefore} -> ${cib.versionAfter})`;
}

export function renderHostPlan(actions: HostAction[]): string {
  return actions.length === 0 ? '' : `host actions, in order:\n${renderPlan(actions)}\n`;
}

export function renderNodeAdd(r: NodeAddResult): string {
  const subject = `${r.kind} node '${r.node}'`;
  if (r.cib.dryRun) return `${r.cib.diff}${renderHostPlan(r.hostActions)}(dry run: nothing was changed)`;
  const hostChanged = r.hostActions.some((a) => a.status === 'done' && a.action !== 'check');
  if (!r.cib.changed && !hostChanged) {
    const hostsChecked = r.hostActions.some((a) => a.status === 'unchanged');
    return `${subject}: unchanged (${hostsChecked ? 'already configured, same key, service running' : 'already in the CIB'})`;
  }
  return `${subject}: added${r.online ? ' and online' : ''} (CIB ${r.cib.versionBefore} -> ${r.cib.versionAfter})`;
}

export function renderNodeDelete(r: NodeDeleteResult): string {
  const subject = r.nodes.map((n) => `'${n}'`).join(', ');
  if (r.cib.dryRun) return `${r.cib.diff}${renderHostPlan(r.hostActions)}(dry run: nothing was changed)`;
  return `node ${subject}: removed (CIB ${r.cib.versionBefore} -> ${r.cib.versionAfter})`;
}
