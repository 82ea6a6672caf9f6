// `resource update <id> meta name=value...` with pcs semantics plus the
// guards pcs lacks: guest connection attributes are only changed through
// add-guest/remove-guest (unless --force), ports and durations are checked.
import {IdAllocator} from '../cib/ids.js';
import {clusterNodeNames, findResource, guestNodes, idsInUse, nvpairValue, remoteNodes} from '../cib/query.js';
import type {CibStore} from '../cib/store.js';
import {setMetaAttributes} from '../cib/transforms/meta.js';
import {isDuration, isPort} from '../cib/values.js';
import {fail, infoReport, ReportList, type Reporter} from '../report.js';
import {summarizeCommit, type CibChangeSummary} from './cib-change.js';
import {parseNameValues, printable, type ParsedOption} from './options.js';

export interface ResourceUpdateInput {
  store: CibStore;
  resourceId: string;
  /** Everything after the resource id: `meta name=value ...`. */
  tokens: readonly string[];
  force: boolean;
  dryRun: boolean;
  reporter: Reporter;
}

export interface MetaChange {
  name: string;
  value: string;
  action: 'set' | 'unset';
}

export interface ResourceUpdateResult {
  resource: string;
  changes: MetaChange[];
  cib: CibChangeSummary;
}

export function parseMetaTokens(tokens: readonly string[]): ParsedOption[] {
  const reports = new ReportList();
  if (tokens.length === 0) fail('NOTHING_TO_UPDATE', 'nothing to update: give meta <name>=<value>...');
  if (tokens[0] !== 'meta') {
    fail('UNSUPPORTED_OPTION', `pcmkctl resource update changes meta attributes only: unexpected '${printable(tokens[0])}' (use: meta <name>=<value>...)`);
  }
  if (tokens.length === 1) fail('NOTHING_TO_UPDATE', "nothing to update: 'meta' needs <name>=<value>...");
  const options = parseNameValues(tokens.slice(1).filter((t) => t !== 'meta'), 'meta option', reports);
  reports.throwIfErrors();
  return options;
}

export async function resourceUpdate(input: ResourceUpdateInput): Promise<ResourceUpdateResult> {
  const {store, resourceId, force, dryRun, reporter} = input;
  const options = parseMetaTokens(input.tokens);
  const mangled = options.find((o) => /[\n\r\t]/.test(o.value));
  if (mangled && store.kind === 'live') {
    // Pacemaker's own XML writer turns them into other characters (2.1.5: "\n", spaces)
    fail('VALUE_NOT_STORABLE', `the value of '${mangled.name}' contains a newline or tab, which the live cluster cannot store unchanged`, {
      hint: 'use a value without them (a CIB file given with -f keeps them)',
    });
  }
  const commit = await store.update(
    (doc) => {
      const located = findResource(doc, resourceId);
      if (!located) fail('RESOURCE_NOT_FOUND', `resource '${printable(resourceId)}' does not exist`);
      const rsc = located.element;
      const reports = new ReportList({force});
      checkGuestGuards(rsc.attrs.id, options, {
        remoteNode: nvpairValue(rsc, 'meta_attributes', 'remote-node'),
        remoteAddr: nvpairValue(rsc, 'meta_attributes', 'remote-addr'),
        isPrimitive: rsc.name === 'primitive',
        takenNames: () => takenNodeNames(doc, rsc.attrs.id),
      }, reports);
      reports.throwIfErrors();
      const changed = setMetaAttributes(rsc, options.map((o) => [o.name, o.value] as const), new IdAllocator(doc), {newSetPosition: 'last'});
      return {changed, reports: reports.items};
    },
    {dryRun, reporter},
  );
  const cib = summarizeCommit(store, commit, reporter);
  const renamed = options.find((o) => o.name === 'remote-node');
  if (renamed && commit.changed && store.kind === 'live') {
    reporter.emit(infoReport('NODE_MAY_NEED_PURGE', "if a guest node was renamed or removed, purge its old name with 'pcmkctl node remove <old name>'"));
  }
  return {
    resource: resourceId,
    changes: options.map((o) => ({name: o.name, value: o.value, action: o.value === '' ? 'unset' : 'set'})),
    cib,
  };
}

interface GuestState {
  remoteNode?: string;
  remoteAddr?: string;
  isPrimitive: boolean;
  takenNames: () => Set<string>;
}

function checkGuestGuards(id: string, options: ParsedOption[], state: GuestState, reports: ReportList): void {
  const isGuest = Boolean(state.remoteNode);
  for (const {name, value} of options) {
    if (name === 'remote-port' && value !== '' && !isPort(value)) {
      reports.error('INVALID_PORT', `'${printable(value)}' is not a valid remote-port value, use a port number (1..65535)`);
    }
    if (name === 'remote-connect-timeout' && value !== '' && !isDuration(value)) {
      reports.error('INVALID_DURATION', `'${printable(value)}' is not a valid remote-connect-timeout value, use time interval (e.g. 1, 2s, 3m, 4h, ...)`);
    }
    if (name === 'remote-node') {
      if (value === (state.remoteNode ?? '')) continue; // same value: idempotent (pcs #145)
      if (!isGuest) {
        reports.error('USE_ADD_GUEST', `this command is not sufficient for creating a guest node, use 'pcmkctl cluster node add-guest'`, {forceable: 'force'});
        if (!state.isPrimitive) reports.error('NOT_A_PRIMITIVE', `'${id}' is not a primitive, it cannot be a guest node`);
      } else if (value === '') {
        reports.error('USE_REMOVE_GUEST', `this command is not sufficient for removing a guest node, use 'pcmkctl cluster node remove-guest'`, {forceable: 'force'});
      } else {
        reports.error('GUEST_RENAME', `changing the name of guest node '${state.remoteNode}' is not sufficient for connecting to a different guest node; remove it with 'pcmkctl cluster node remove-guest' and add it with 'pcmkctl cluster node add-guest'`, {forceable: 'force'});
      }
      if (value !== '' && state.takenNames().has(value)) reports.error('ID_EXISTS', `'${printable(value)}' already exists`);
    }
    if (name === 'remote-addr' && isGuest && value !== (state.remoteAddr ?? '')) {
      reports.error(
        value === '' ? 'USE_REMOVE_GUEST' : 'GUEST_READDRESS',
        value === ''
          ? `this command is not sufficient for removing guest node '${state.remoteNode}', use 'pcmkctl cluster node remove-guest'`
          : `changing the address of guest node '${state.remoteNode}' is not sufficient for connecting to a different guest node; remove it with 'pcmkctl cluster node remove-guest' and add it with 'pcmkctl cluster node add-guest'`,
        {forceable: 'force'},
      );
    }
  }
}

/** Ids and node names a new guest name must not collide with (excluding the resource itself). */
function takenNodeNames(doc: Parameters<typeof idsInUse>[0], self: string): Set<string> {
  const taken = idsInUse(doc);
  taken.delete(self);
  for (const n of clusterNodeNames(doc)) taken.add(n);
  for (const r of remoteNodes(doc)) taken.add(r.name);
  for (const g of guestNodes(doc)) if (g.resource.attrs.id !== self) taken.add(g.name);
  return taken;
}
