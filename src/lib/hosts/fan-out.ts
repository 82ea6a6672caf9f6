// Run one step on several hosts in parallel (bounded), collecting a result
// or a classified error per host. Workflows decide what partial failure means.
import {PcmkctlError, errorReport, type Report} from '../report.js';
import {mapLimit} from '../util/concurrency.js';
import type {HostTarget} from './transport.js';

export const DEFAULT_HOST_CONCURRENCY = 8;

export interface HostOutcome<T> {
  host: HostTarget;
  ok: boolean;
  value?: T;
  /** The failure as reports (from PcmkctlError, or an internal error). */
  reports?: Report[];
  error?: unknown;
}

export async function forEachHost<T>(
  hosts: readonly HostTarget[],
  fn: (host: HostTarget) => Promise<T>,
  concurrency = DEFAULT_HOST_CONCURRENCY,
): Promise<HostOutcome<T>[]> {
  const settled = await mapLimit(hosts, concurrency, fn);
  return settled.map((s, i) => {
    const host = hosts[i];
    if (s.ok) return {host, ok: true, value: s.value};
    const reports =
      s.error instanceof PcmkctlError
        ? s.error.reports
        : [errorReport('E_UNEXPECTED', `${host.name}: ${(s.error as Error)?.message ?? String(s.error)}`, {host: host.name})];
    return {host, ok: false, reports, error: s.error};
  });
}
