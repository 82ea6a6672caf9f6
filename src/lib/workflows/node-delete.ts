// `cluster node remove-remote` / `remove-guest` in the safe order pcs gets
// wrong: reachability is checked first; the CIB changes first (the cluster
// stops the connection while pacemaker-remoted still runs, so nothing is
// marked unclean or fenced); then the node is purged from Pacemaker's
// caches; only then pacemaker_remote is stopped and disabled on the host and
// its key removed. Leftover references are reported.
import type {CibStore} from '../cib/store.js';
import {findGuestNodes, removeGuestMeta} from '../cib/transforms/guest-node.js';
import {nodeReferences} from '../cib/transforms/node-references.js';
import {purgeNode} from '../cib/transforms/node-purge.js';
import {findRemoteNodes, removeResourcesAndReferences} from '../cib/transforms/remote-node.js';
import {waitForCluster} from '../cluster/crm-mon.js';
import {isOfflineError} from '../hosts/host-errors.js';
import {updateKnownHosts} from '../hosts/known-hosts.js';
import type {HostTarget, HostTransport} from '../hosts/transport.js';
import {errorReport, ExitCode, fail, infoReport, PcmkctlError, ReportList, warningReport, type Report, type Reporter} from '../report.js';
import {exec} from '../util/exec.js';
import {summarizeCommit, type CibChangeSummary} from './cib-change.js';
import {HostActionLog, type HostAction} from './host-steps.js';
import {checkNodeName} from './node-remove.js';

export interface NodeDeleteInput {
  kind: 'remote' | 'guest';
  identifier: string;
  store: CibStore;
  openTransport: () => Promise<HostTransport>;
  force: boolean;
  skipOffline: boolean;
  dryRun: boolean;
  /** Also remove the host's token from known-hosts. */
  deauth: boolean;
  reporter: Reporter;
}

export interface NodeDeleteResult {
  nodes: string[];
  resources: string[];
  cib: CibChangeSummary;
  hostActions: HostAction[];
  /** References to the removed nodes still in the CIB (not removed by this command). */
  danglingReferences: string[];
}

interface Match {
  node: string;
  resource: string;
  address: string;
}

export async function deleteNode(input: NodeDeleteInput): Promise<NodeDeleteResult> {
  const {kind, identifier, store, reporter, force, dryRun} = input;
  checkNodeName(identifier);
  const live = store.kind === 'live';
  const snapshot = await store.read(reporter);
  const matches: Match[] =
    kind === 'remote'
      ? findRemoteNodes(snapshot.doc, identifier).map((r) => ({node: r.name, resource: r.name, address: r.address}))
      : findGuestNodes(snapshot.doc, identifier).map((g) => ({node: g.name, resource: g.resource.attrs.id, address: g.address}));
  if (matches.length === 0) fail('NODE_NOT_FOUND', `${kind} node '${identifier}' does not appear to exist in configuration`);
  if (matches.length > 1) {
    const reports = new ReportList({force});
    reports.error('MULTIPLE_NODES', `more than one resource for '${identifier}' found: ${matches.map((m) => `'${m.resource}'`).join(', ')}`, {forceable: 'force'});
    reports.throwIfErrors();
    for (const r of reports.items) reporter.emit(r);
  }
  const nodes = matches.map((m) => m.node);
  const resources = matches.map((m) => m.resource);
  const transform = (doc: Parameters<typeof purgeNode>[0]) => {
    let changed = kind === 'remote' ? removeResourcesAndReferences(doc, resources, nodes) : resources.map((r) => removeGuestMeta(doc, r)).some(Boolean);
    // file mode does what crm_node does live (crm_node ignores CIB files)
    if (!live) for (const n of nodes) changed = purgeNode(doc, n) || changed;
    return {changed};
  };
  // file mode has no host steps: the plan is the commit itself
  const plan = await store.update(transform, {dryRun: dryRun || live, reporter});
  const log = new HostActionLog(reporter);
  const result = (cib: CibChangeSummary, dangling: string[]): NodeDeleteResult => ({nodes, resources, cib, hostActions: log.actions, danglingReferences: dangling});

  if (!live) {
    for (const n of nodes) log.skipped(n, ['stop-disable', 'remove-authkey'], 'the command does not run on a live cluster (e.g. -f was used)');
    return result(summarizeCommit(store, plan, reporter), await reportDangling(store, nodes, reporter, dryRun));
  }
  if (dryRun) {
    for (const n of nodes) {
      log.planned(n, 'check');
      log.planned(n, 'stop-disable', 'after the cluster stopped the connection');
      log.planned(n, 'remove-authkey');
      if (input.deauth) log.planned(n, 'deauth');
    }
    return result(summarizeCommit(store, plan, reporter), []);
  }

  const transport = await input.openTransport();
  try {
    // reachability first: nothing is changed if a host cannot be cleaned up
    const reachable: HostTarget[] = [];
    for (const m of matches) {
      const target: HostTarget = {name: m.node, addr: transport.kind === 'ssh' ? m.address : undefined};
      try {
        await transport.checkAuth(target);
        reachable.push(target);
        log.done(m.node, 'check', `${m.node}: reachable`);
      } catch (e) {
        const offline = isOfflineError(e) || (e instanceof PcmkctlError && e.code === 'HOST_NOT_FOUND');
        if (!offline || !input.skipOffline) throw e;
        for (const r of (e as PcmkctlError).reports) reporter.emit({...r, severity: 'warning'});
        log.skipped(m.node, ['stop-disable', 'remove-authkey'], 'pcmkctl is unable to connect to the node');
      }
    }
    const commit = await store.update(transform, {reporter, basis: plan});
    const cib = summarizeCommit(store, commit, reporter);
    // the cluster disconnects before pacemaker_remote goes: stopping it under a
    // live connection is what gets remote nodes marked unclean (or fenced)
    const disconnected = await waitForCluster(
      (s) => !s.nodes.some((n) => nodes.includes(n.name) && n.online) && !s.resources.some((r) => resources.includes(r.id) && r.role !== 'Stopped' && kind === 'remote'),
      60_000,
      reporter,
      (s) => (s ? `still online: ${s.nodes.filter((n) => nodes.includes(n.name) && n.online).map((n) => n.name).join(', ') || 'connection resource not stopped'}` : 'crm_mon did not answer'),
    );
    if (!disconnected.ok) {
      reporter.emit(warningReport('NOT_DISCONNECTED', `the cluster did not disconnect within 60s (${disconnected.reason}); cleaning up the host anyway`));
    }
    const failures: Report[] = [];
    for (const n of nodes) {
      const r = await exec('crm_node', ['--force', '--remove', n], {reporter, timeoutMs: 120_000});
      if (r.code !== 0) failures.push(errorReport('CRM_NODE_FAILED', `Unable to remove node '${n}' from pacemaker: ${(r.stderr || r.stdout).trim().split('\n')[0]}`, {host: n, hint: `run 'pcmkctl node remove ${n}' later`}));
    }
    for (const target of reachable) {
      try {
        reporter.emit(infoReport('SERVICE_REQUEST', `Requesting 'pacemaker_remote disable', 'pacemaker_remote stop' on '${target.name}'`, {host: target.name}));
        await transport.manageService(target, 'stop-disable');
        log.done(target.name, 'stop-disable', `${target.name}: successful run of 'pacemaker_remote disable', 'pacemaker_remote stop'`);
        const removed = await transport.removeAuthkey(target);
        log.done(target.name, 'remove-authkey', `${target.name}: ${removed === 'deleted' ? "successful removal of the file 'pacemaker authkey'" : "'pacemaker authkey' was not there"}`, removed === 'deleted' ? 'done' : 'unchanged');
      } catch (e) {
        failures.push(...(e instanceof PcmkctlError ? e.reports : [errorReport('E_UNEXPECTED', (e as Error).message, {host: target.name})]));
      }
    }
    if (input.deauth) {
      await updateKnownHosts((file) => {
        let changed = false;
        for (const n of nodes) if (n in file.known_hosts) changed = delete file.known_hosts[n] || changed;
        return changed;
      });
      for (const n of nodes) log.done(n, 'deauth', `${n}: removed from known-hosts`);
    }
    const dangling = await reportDangling(store, nodes, reporter, false);
    if (failures.length > 0) {
      throw new PcmkctlError([...failures, warningReport('PARTIAL_REMOVAL', `the node${nodes.length > 1 ? 's were' : ' was'} removed from the cluster, but the host clean-up above failed; finish it by hand`)], ExitCode.partial);
    }
    return result(cib, dangling);
  } finally {
    await transport.close();
  }
}

async function reportDangling(store: CibStore, nodes: string[], reporter: Reporter, dryRun: boolean): Promise<string[]> {
  if (dryRun) return [];
  const after = await store.read(reporter);
  const dangling = nodes.flatMap((n) => nodeReferences(after.doc, n).map((r) => `${n}: ${r.description}`));
  for (const d of dangling) reporter.emit(warningReport('DANGLING_REFERENCE', `still referenced: ${d}`, {hint: 'remove it if it is no longer wanted'}));
  return dangling;
}
