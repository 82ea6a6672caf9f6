// What every CIB-changing command reports about its commit, in one shape.
import {infoReport, type Reporter} from '../report.js';
import type {CibStore, CommitResult} from '../cib/store.js';

export interface CibChangeSummary {
  target: 'file' | 'live';
  changed: boolean;
  dryRun: boolean;
  /** admin_epoch.epoch.num_updates before and after. */
  versionBefore: string;
  versionAfter: string;
  validation: CommitResult['validation'];
  attempts: number;
  diff: string;
}

/** Emit the commit's own reports and the validation note; return the summary. */
export function summarizeCommit(store: CibStore, commit: CommitResult, reporter: Reporter): CibChangeSummary {
  for (const r of commit.reports) reporter.emit(r);
  if (commit.changed && commit.validation === 'skipped') {
    reporter.emit(infoReport('CIB_VALIDATION_SKIPPED', 'crm_verify is not installed: the CIB was not validated'));
  }
  return {
    target: store.kind,
    changed: commit.changed,
    dryRun: commit.dryRun,
    versionBefore: commit.before,
    versionAfter: commit.after,
    validation: commit.validation,
    attempts: commit.attempts,
    diff: commit.diff,
  };
}
