// Compensating actions for a multi-step run: each step that changes
// something registers how to take it back; on failure they run in reverse
// and every undo is reported (done or not), so nothing is silently left.
import {errorReport, infoReport, PcmkctlError, type Report, type Reporter} from '../report.js';

interface UndoStep {
  what: string;
  host?: string;
  run: () => Promise<void>;
}

export class UndoLog {
  private readonly steps: UndoStep[] = [];

  add(what: string, run: () => Promise<void>, host?: string): void {
    this.steps.push({what, run, host});
  }

  get size(): number {
    return this.steps.length;
  }

  /** Undo everything in reverse order; returns one report per step. */
  async rollback(reporter: Reporter): Promise<Report[]> {
    const reports: Report[] = [];
    for (const step of [...this.steps].reverse()) {
      try {
        await step.run();
        const r = infoReport('UNDONE', `undone: ${step.what}`, {host: step.host});
        reporter.emit(r);
        reports.push(r);
      } catch (e) {
        const why = e instanceof PcmkctlError ? e.message : (e as Error).message;
        reports.push(errorReport('UNDO_FAILED', `could not undo: ${step.what}: ${why}`, {host: step.host, hint: 'fix this by hand'}));
      }
    }
    this.steps.length = 0;
    return reports;
  }
}

/** Run `body`; on any failure roll back and rethrow with the undo reports attached. */
export async function withUndo<T>(undo: UndoLog, reporter: Reporter, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (undo.size === 0) throw e;
    const undone = await undo.rollback(reporter);
    const failure = e instanceof PcmkctlError ? e.reports : [errorReport('E_UNEXPECTED', `internal error: ${(e as Error).message}`)];
    const exitCode = e instanceof PcmkctlError ? e.exitCode : 1;
    throw new PcmkctlError([...failure, ...undone.filter((r) => r.severity === 'error'), infoReport('ROLLED_BACK', `changes made by this run were undone (${undone.filter((r) => r.severity !== 'error').length} step(s))`)], exitCode);
  }
}
