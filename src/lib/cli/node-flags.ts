// Flags of the node commands (add/remove remote and guest), defined once.
import {Flags} from '@oclif/core';
import {fail} from '../report.js';

export const skipOfflineFlag = Flags.boolean({description: 'treat unreachable or unknown hosts as warnings and skip their host steps (as in pcs)'});

export const waitFlag = Flags.string({
  description: 'wait for the node to come online (RemoteOnline/GuestOnline); --wait alone waits up to 120 seconds, --wait=N up to N',
});

export const DEFAULT_WAIT_SECONDS = 120;

/** --wait value -> seconds (undefined when not given). */
export function waitSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === 'default' || value === '') return DEFAULT_WAIT_SECONDS;
  if (!/^\d{1,6}$/.test(value) || Number(value) === 0) fail('USAGE', `'${value}' is not a valid number of seconds to wait`, {hint: 'use --wait or --wait=N with N > 0'}, 2);
  return Number(value);
}
