// Text rendering of results shared by several commands (stdout).
import type {CibChangeSummary} from '../workflows/cib-change.js';

export function renderCibChange(cib: CibChangeSummary, subject: string): string {
  if (cib.dryRun) return cib.diff ? `${cib.diff}(dry run: nothing was written)` : `${subject}: no change (dry run)`;
  if (!cib.changed) return `${subject}: unchanged`;
  return `${subject}: updated ${cib.target === 'live' ? 'the live CIB' : 'the CIB file'} (version ${cib.versionBefore} -> ${cib.versionAfter})`;
}
