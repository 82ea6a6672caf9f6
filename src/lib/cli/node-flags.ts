// Flags of the node commands (add/remove remote and guest) and how they
// become workflow inputs, defined once for all four commands.
import {Flags} from '@oclif/core';
import {openCibStore} from '../cib/open-store.js';
import {createTransport} from '../hosts/factory.js';
import {fail, type Reporter} from '../report.js';
import type {NodeAddCommon, NodeAddResult} from '../workflows/node-add.js';
import type {NodeDeleteInput} from '../workflows/node-delete.js';
import {dryRunFlag, forceFlag} from './base-command.js';
import {transportFlags, type TransportFlagValues} from './transport-flags.js';

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

/** Flags shared by add-remote and add-guest. */
export const nodeAddFlags = {
  ...transportFlags,
  'skip-offline': skipOfflineFlag,
  wait: waitFlag,
  force: forceFlag,
  'dry-run': dryRunFlag,
};

/** Flags shared by remove-remote and remove-guest. */
export const nodeDeleteFlags = {
  ...transportFlags,
  'skip-offline': skipOfflineFlag,
  deauth: Flags.boolean({description: "also remove the host's token from known-hosts"}),
  force: forceFlag,
  'dry-run': dryRunFlag,
};

type NodeFlagValues = TransportFlagValues & {file?: string; force: boolean; 'skip-offline': boolean; 'dry-run': boolean};

/** The workflow inputs every node command builds the same way from its flags. */
export function nodeAddCommon(flags: NodeFlagValues & {wait?: string}, reporter: Reporter): NodeAddCommon {
  return {
    store: openCibStore(flags.file),
    openTransport: () => createTransport(flags, reporter),
    force: flags.force,
    skipOffline: flags['skip-offline'],
    dryRun: flags['dry-run'],
    waitSeconds: waitSeconds(flags.wait),
    reporter,
  };
}

export function nodeDeleteInput(kind: 'remote' | 'guest', identifier: string, flags: NodeFlagValues & {deauth: boolean}, reporter: Reporter): NodeDeleteInput {
  return {
    kind,
    identifier,
    store: openCibStore(flags.file),
    openTransport: () => createTransport(flags, reporter),
    force: flags.force,
    skipOffline: flags['skip-offline'],
    dryRun: flags['dry-run'],
    deauth: flags.deauth,
    reporter,
  };
}

/** Did a node add change anything (CIB or host)? */
export function nodeAddChanged(r: NodeAddResult): boolean {
  return (r.cib.changed && !r.cib.dryRun) || r.hostActions.some((a) => a.status === 'done' && a.action !== 'check');
}
