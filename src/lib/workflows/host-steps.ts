// Host-side steps of the node workflows, shared by add and remove: what was
// planned and done on each host, in pcs's recognisable wording.
import type {Report, Reporter} from '../report.js';
import {infoReport} from '../report.js';

export type HostActionKind = 'check' | 'authkey-local' | 'authkey' | 'start-enable' | 'stop-disable' | 'remove-authkey' | 'deauth';
export type HostActionStatus = 'planned' | 'done' | 'unchanged' | 'skipped' | 'failed';

export interface HostAction {
  host: string;
  action: HostActionKind;
  status: HostActionStatus;
  detail?: string;
}

export const ACTION_TEXT: Record<HostActionKind, string> = {
  check: 'check the host (reachable, pacemaker_remote installed, not in a cluster, authkey)',
  'authkey-local': 'create the Pacemaker authkey on this node',
  authkey: "distribute 'pacemaker authkey'",
  'start-enable': "run 'pacemaker_remote enable', 'pacemaker_remote start'",
  'stop-disable': "run 'pacemaker_remote disable', 'pacemaker_remote stop'",
  'remove-authkey': "remove 'pacemaker authkey'",
  deauth: 'remove the host from known-hosts',
};

export class HostActionLog {
  readonly actions: HostAction[] = [];
  constructor(private readonly reporter: Reporter) {}

  record(host: string, action: HostActionKind, status: HostActionStatus, detail?: string): void {
    this.actions.push({host, action, status, detail});
  }

  /** Record and print a progress line. */
  done(host: string, action: HostActionKind, message: string, status: HostActionStatus = 'done'): void {
    this.record(host, action, status);
    this.reporter.emit(infoReport(status === 'unchanged' ? 'HOST_STEP_UNCHANGED' : 'HOST_STEP_DONE', message, {host}));
  }

  /** pcs's "was skipped because ..." lines. */
  skipped(host: string, actions: HostActionKind[], because: string): Report[] {
    const out: Report[] = [];
    for (const action of actions) {
      this.record(host, action, 'skipped', because);
      const r = infoReport('HOST_STEP_SKIPPED', skippedText(host, action, because), {host});
      this.reporter.emit(r);
      out.push(r);
    }
    return out;
  }

  planned(host: string, action: HostActionKind, detail?: string): void {
    this.record(host, action, 'planned', detail);
  }
}

function skippedText(host: string, action: HostActionKind, because: string): string {
  switch (action) {
    case 'authkey':
      return `Distribution of 'pacemaker authkey' to '${host}' was skipped because ${because}. Please, distribute the file(s) manually.`;
    case 'remove-authkey':
      return `Removing 'pacemaker authkey' from '${host}' was skipped because ${because}. Please, remove the file(s) manually.`;
    case 'start-enable':
      return `Running action(s) 'pacemaker_remote enable', 'pacemaker_remote start' on '${host}' was skipped because ${because}. Please, run the action(s) manually.`;
    case 'stop-disable':
      return `Running action(s) 'pacemaker_remote disable', 'pacemaker_remote stop' on '${host}' was skipped because ${because}. Please, run the action(s) manually.`;
    default:
      return `${ACTION_TEXT[action]} on '${host}' was skipped because ${because}.`;
  }
}

export function renderPlan(actions: HostAction[]): string {
  return actions.map((a, i) => `${i + 1}. ${a.host}: ${ACTION_TEXT[a.action]}${a.detail ? ` (${a.detail})` : ''}`).join('\n');
}
