// `cluster node add-remote` / `add-guest`: plan -> preflight -> keys ->
// service -> one atomic CIB change -> optional wait. Everything is validated
// before any host or the CIB is touched; when a later step fails, what this
// run changed is undone (service stopped and disabled, keys it wrote
// removed or restored, local key it generated deleted). Re-running an add
// that already fully holds changes nothing and says "unchanged".
import {remoteAgentMetadata} from '../cib/agent-metadata.js';
import type {CibStore, CibTransform, CommitResult} from '../cib/store.js';
import {addGuestNode, validateGuestNode} from '../cib/transforms/guest-node.js';
import type {ExistingNodes} from '../cib/transforms/node-names.js';
import {addRemoteNode, validateRemoteNode, type OptionPair} from '../cib/transforms/remote-node.js';
import {corosyncNodes} from '../cluster/corosync.js';
import {waitForCluster, type MonState} from '../cluster/crm-mon.js';
import {fingerprint, generateAuthkey, readLocalAuthkey, removeLocalAuthkey, writeLocalAuthkey} from '../authkey/local.js';
import {isOfflineError} from '../hosts/host-errors.js';
import {waitForTcp} from '../hosts/tcp-probe.js';
import {lookupHost, readKnownHosts} from '../hosts/known-hosts.js';
import type {HostFacts, HostTarget, HostTransport} from '../hosts/transport.js';
import {errorReport, ExitCode, fail, infoReport, PcmkctlError, ReportList, warningReport, type Reporter} from '../report.js';
import {exec} from '../util/exec.js';
import {summarizeCommit, type CibChangeSummary} from './cib-change.js';
import {HostActionLog, type HostAction} from './host-steps.js';
import type {AddGuestArgs, AddRemoteArgs} from './node-args.js';
import {UndoLog, withUndo} from './undo.js';

export interface NodeAddCommon {
  store: CibStore;
  /** Creates the host transport (live mode only). */
  openTransport: () => Promise<HostTransport>;
  force: boolean;
  skipOffline: boolean;
  dryRun: boolean;
  /** Seconds to wait for the node to come online; undefined = do not wait. */
  waitSeconds?: number;
  reporter: Reporter;
}

export interface NodeAddResult {
  node: string;
  kind: 'remote' | 'guest';
  address: string;
  cib: CibChangeSummary;
  hostActions: HostAction[];
  /** Key fingerprint (SHA-256 hex) now on the host, when known. */
  authkeySha256?: string;
  online?: boolean;
}

export async function addRemote(args: AddRemoteArgs & {noDefaultOps: boolean}, common: NodeAddCommon): Promise<NodeAddResult> {
  // read-only: runs while the address is looked up; awaited when the change is planned
  const pending = remoteAgentMetadata(common.reporter);
  pending.catch(() => {});
  const port = Number(args.instance.find((o) => o.name === 'port')?.value ?? DEFAULT_REMOTE_PORT);
  return addNode({kind: 'remote', name: args.name, explicitAddress: args.address, port}, common, async (address, existing) => {
    const metadata = await pending;
    return (doc) => {
      const reports = new ReportList({force: common.force});
      const spec = {name: args.name, address, instance: args.instance, ops: args.ops, meta: args.meta, noDefaultOps: args.noDefaultOps};
      validateRemoteNode(doc, spec, metadata, existing, reports);
      reports.throwIfErrors();
      const changed = addRemoteNode(doc, spec, metadata, reports);
      reports.throwIfErrors();
      return {changed, reports: reports.items};
    };
  });
}

export async function addGuest(args: AddGuestArgs, common: NodeAddCommon): Promise<NodeAddResult> {
  const explicit = args.options.find((o) => o.name === 'remote-addr')?.value;
  const port = Number(args.options.find((o) => o.name === 'remote-port')?.value ?? DEFAULT_REMOTE_PORT);
  return addNode({kind: 'guest', name: args.name, explicitAddress: explicit, port}, common, (address, existing) => (doc) => {
    const reports = new ReportList({force: common.force});
    const options: OptionPair[] = [...args.options.filter((o) => o.name !== 'remote-addr'), {name: 'remote-addr', value: address}];
    const spec = {name: args.name, resourceId: args.resourceId, options};
    const check = validateGuestNode(doc, spec, existing, reports);
    reports.throwIfErrors();
    return {changed: check === 'add' ? addGuestNode(doc, spec) : false, reports: reports.items};
  });
}

const DEFAULT_REMOTE_PORT = 3121;
/** pacemaker-remoted needs ~0.5 s (DH parameters) before it listens. */
const LISTEN_DEADLINE_MS = 15_000;

type TransformFor = (address: string, existing: ExistingNodes) => CibTransform | Promise<CibTransform>;

interface NodeChange {
  kind: 'remote' | 'guest';
  name: string;
  explicitAddress?: string;
  /** pacemaker-remoted's port on the host. */
  port: number;
}

async function addNode(change: NodeChange, common: NodeAddCommon, transformFor: TransformFor): Promise<NodeAddResult> {
  const {kind, name, explicitAddress, port} = change;
  const {store, reporter, dryRun, force, skipOffline} = common;
  const live = store.kind === 'live';
  if (!live && common.waitSeconds !== undefined) fail('USAGE', "Cannot use '-f' together with '--wait'", undefined, ExitCode.usage);

  // 1. plan: address, existing cluster nodes, and the CIB change (validated, nothing written)
  const address = explicitAddress ?? (await defaultAddress(name, reporter));
  if (!live) reporter.emit(infoReport('COROSYNC_NOT_CHECKED', 'Unable to check if there is a conflict with nodes set in corosync because the command does not run on a live cluster (e.g. -f was used)'));
  const planning = (async () => {
    const existing: ExistingNodes = live ? await corosyncNodes() : {names: [], addresses: []};
    const transform = await transformFor(address, existing);
    // file mode has no host steps: the plan is the commit itself (one read, one parse)
    const plan = await store.update(transform, {dryRun: dryRun || live, reporter});
    return {existing, transform, plan};
  })();
  planning.catch(() => {}); // awaited below; a failure is reported from there
  const log = new HostActionLog(reporter);
  const base = {node: name, kind, address};

  // Live run: the host's read-only probes (auth check, service facts) and the
  // local reads run while the change is planned; nothing is written until the
  // plan is valid, and a plan error is reported before any host error (as when
  // they ran one after the other). Their reports are emitted afterwards, in order.
  if (!live || dryRun) return planOnly();
  let transport: HostTransport;
  try {
    transport = await common.openTransport();
  } catch (e) {
    await planning; // a plan error first
    throw e;
  }
  const target: HostTarget = {name, addr: transport.kind === 'ssh' ? address : undefined};
  const probing = probeHost(transport, target);
  const localReads = Promise.all([readLocalAuthkey(), localNodeName()]);
  localReads.catch(() => {});
  try {
    await planning;
  } catch (e) {
    await probing; // settles on its own (never rejects), bounded by the request timeout
    await transport.close();
    throw e;
  }
  const {existing, transform, plan} = await planning;
  return hostSteps(transport, target, probing, localReads, existing, transform, plan);

  async function planOnly(): Promise<NodeAddResult> {
    const {plan} = await planning;
    if (!live) {
      log.skipped(name, ['authkey', 'start-enable'], 'the command does not run on a live cluster (e.g. -f was used)');
      return {...base, cib: summarizeCommit(store, plan, reporter), hostActions: log.actions};
    }
    log.planned(name, 'check');
    log.planned(name, 'authkey', 'only where missing; a different key is refused');
    log.planned(name, 'start-enable', 'unless already running');
    return {...base, cib: summarizeCommit(store, plan, reporter), hostActions: log.actions};
  }

  // 2. preflight (read-only), 3. keys, 4. service, 5. CIB, with undo on failure
  async function hostSteps(transport: HostTransport, target: HostTarget, probing: Promise<Probe>, localReads: Promise<[Awaited<ReturnType<typeof readLocalAuthkey>>, string]>, existing: ExistingNodes, transform: CibTransform, plan: CommitResult): Promise<NodeAddResult> {
    const undo = new UndoLog();
    try {
      const facts = await preflight(target, await probing, {skipOffline}, reporter, log);
      const [local, self] = await localReads;
      let key = local.key;
      let keySha = local.sha256;
      const result = await withUndo(undo, reporter, async () => {
        if (!key) {
          key = generateAuthkey();
          keySha = fingerprint(key);
          await writeLocalAuthkey(local.path, key);
          undo.add(`created the local authkey ${local.path}`, () => removeLocalAuthkey(local.path));
          log.done(self, 'authkey-local', `Generated a new Pacemaker authkey (${key.length} bytes, sha256 ${keySha.slice(0, 16)}...) in ${local.path}`);
        }
        // every other reachable cluster node must hold the same key
        for (const peer of existing.names.filter((n) => n !== self)) {
          const peerTarget: HostTarget = {name: peer};
          try {
            await transport.checkAuth(peerTarget);
          } catch (e) {
            if (!isOfflineError(e) && !(e instanceof PcmkctlError && e.code === 'HOST_NOT_FOUND')) throw e;
            reporter.emit(warningReport('PEER_UNREACHABLE', `cluster node '${peer}' is not reachable: its authkey was not compared (${(e as Error).message})`, {host: peer}));
            continue;
          }
          await distributeKey(transport, peerTarget, key, force, undo, log, reporter);
        }
        if (facts) {
          await distributeKey(transport, target, key, force, undo, log, reporter);
          if (!facts.pacemakerRemoteRunning || !facts.pacemakerRemoteEnabled) {
            reporter.emit(infoReport('SERVICE_REQUEST', `Requesting 'pacemaker_remote enable', 'pacemaker_remote start' on '${name}'`, {host: name}));
            // registered first: a failed request may still have done half (pcsd runs start, then enable)
            if (!facts.pacemakerRemoteRunning) undo.add(`started and enabled pacemaker_remote on '${name}'`, () => transport.manageService(target, 'stop-disable'), name);
            await transport.manageService(target, 'start-enable');
            log.done(name, 'start-enable', `${name}: successful run of 'pacemaker_remote enable', 'pacemaker_remote start'`);
          } else {
            log.done(name, 'start-enable', `${name}: pacemaker_remote is already running and enabled`, 'unchanged');
          }
        }
        // pacemaker-remoted listens only after its start-up (~0.5 s), and the
        // cluster's first connection attempt, right after the commit, is
        // retried only 1 s after a refusal: commit once it listens (the
        // change was prepared with the plan; only the patch is left)
        if (facts && !(await waitForTcp(address, port, LISTEN_DEADLINE_MS))) {
          fail('REMOTE_NOT_LISTENING', `${name}: pacemaker_remote does not accept connections on ${address}:${port}`, {
            host: name,
            hint: 'it may have failed to start (see its log on the host), or a firewall blocks the port',
          });
        }
        // the last step: nothing after it can fail and need it undone
        return store.update(transform, {reporter, basis: plan});
      });
      const cib = summarizeCommit(store, result, reporter);
      const outcome: NodeAddResult = {...base, cib, hostActions: log.actions, authkeySha256: keySha};
      if (common.waitSeconds !== undefined) outcome.online = await waitOnline(name, kind, common.waitSeconds, reporter);
      return outcome;
    } finally {
      await transport.close();
    }
  }
}

async function defaultAddress(name: string, reporter: Reporter): Promise<string> {
  let addr: string | undefined;
  try {
    addr = lookupHost(await readKnownHosts(), name)?.dest_list[0]?.addr;
  } catch (e) {
    reporter.emit(warningReport('KNOWN_HOSTS_UNREADABLE', `Unable to read the known-hosts file: ${(e as Error).message}`));
  }
  const address = addr ?? name;
  reporter.emit(infoReport('DEFAULT_ADDRESS', `No addresses specified for host '${name}', using '${address}'`));
  return address;
}

/** What the read-only probes of the new host found (the auth check's error, or its facts). */
type Probe = {authError: unknown} | {facts: HostFacts} | {factsError: unknown};

/**
 * Auth check and the host's facts, asked together (both read-only; the auth
 * check's error is the one reported); never rejects (bounded by the
 * transport's request timeout).
 */
async function probeHost(transport: HostTransport, target: HostTarget): Promise<Probe> {
  const [auth, facts] = await Promise.allSettled([transport.checkAuth(target), transport.checkHost(target)]);
  if (auth.status === 'rejected') return {authError: auth.reason};
  if (facts.status === 'rejected') return {factsError: facts.reason};
  return {facts: facts.value};
}

/** Read-only checks of the new host, from its probe. Returns undefined when it is skipped (offline + --skip-offline). */
async function preflight(target: HostTarget, probe: Probe, options: {skipOffline: boolean}, reporter: Reporter, log: HostActionLog): Promise<HostFacts | undefined> {
  const name = target.name;
  if ('authError' in probe) {
    const e = probe.authError;
    const offline = isOfflineError(e) || (e instanceof PcmkctlError && e.code === 'HOST_NOT_FOUND');
    if (offline && options.skipOffline) {
      for (const r of (e as PcmkctlError).reports) reporter.emit({...r, severity: 'warning'});
      reporter.emit(warningReport('HOST_OMITTED', `Omitting node '${name}'`, {host: name}));
      log.skipped(name, ['authkey', 'start-enable'], 'pcmkctl is unable to connect to the node');
      return undefined;
    }
    throw e;
  }
  if ('factsError' in probe) throw probe.factsError;
  const facts = probe.facts;
  const problems = new ReportList();
  if (!facts.pacemakerRemoteInstalled) problems.error('SERVICE_NOT_INSTALLED', `${name}: Required cluster services not installed: 'pacemaker_remote'`, {host: name});
  const running = [facts.corosyncRunning && 'corosync', facts.pacemakerRunning && 'pacemaker'].filter(Boolean) as string[];
  if (running.length > 0) {
    problems.error('HOST_IN_CLUSTER', `${name}: The host seems to be in a cluster already as the following service${running.length > 1 ? 's are' : ' is'} found to be running: ${running.map((s) => `'${s}'`).join(', ')}. If the host is not part of a cluster, stop the service${running.length > 1 ? 's' : ''} and retry`, {host: name});
  }
  if (facts.clusterConfigExists) {
    problems.error('HOST_HAS_CLUSTER_CONFIG', `${name}: The host seems to be in a cluster already as cluster configuration files have been found on the host`, {host: name, hint: 'if it is not part of a cluster, remove /etc/corosync/corosync.conf and /var/lib/pacemaker/cib/cib.xml there'});
  }
  problems.throwIfErrors();
  log.done(name, 'check', `${name}: pacemaker_remote installed${facts.pacemakerRemoteRunning ? ', already running' : ''}; no cluster services or configuration found`);
  return facts;
}

/** Compare-then-write: identical -> nothing; missing -> write; different -> refuse unless --force. */
async function distributeKey(transport: HostTransport, target: HostTarget, key: Buffer, force: boolean, undo: UndoLog, log: HostActionLog, reporter: Reporter): Promise<void> {
  const name = target.name;
  const before = await transport.readAuthkey(target);
  const sha = fingerprint(key);
  if (before?.exists && before.sha256 === sha) {
    log.done(name, 'authkey', `${name}: 'pacemaker authkey' is already in place (same key)`, 'unchanged');
    return;
  }
  if (before?.exists && !force) {
    throw new PcmkctlError(errorReport('AUTHKEY_MISMATCH', `${name}: has a different Pacemaker authkey (${before.path}, sha256 ${before.sha256?.slice(0, 16)}..., ours ${sha.slice(0, 16)}...)`, {host: name, forceable: 'force', hint: 'use --force to replace it; nodes using the old key will lose their connection'}));
  }
  reporter.emit(infoReport('AUTHKEY_SEND', `Sending 'pacemaker authkey' to '${name}'`, {host: name}));
  const outcome = await transport.putAuthkey(target, key, {overwrite: force});
  if (outcome === 'conflict') {
    throw new PcmkctlError(errorReport('AUTHKEY_MISMATCH', `${name}: unable to distribute file 'pacemaker authkey': the host has a different key`, {host: name, forceable: 'force', hint: 'use --force to replace it; nodes using the old key will lose their connection'}));
  }
  if (outcome === 'same_content') {
    log.done(name, 'authkey', `${name}: 'pacemaker authkey' is already in place (same key)`, 'unchanged');
    return;
  }
  if (outcome === 'written') {
    undo.add(`wrote 'pacemaker authkey' on '${name}'`, async () => void (await transport.removeAuthkey(target)), name);
  } else if (before?.content) {
    const previous = before.content;
    undo.add(`replaced 'pacemaker authkey' on '${name}'`, async () => void (await transport.putAuthkey(target, previous, {overwrite: true})), name);
  } else {
    reporter.emit(warningReport('AUTHKEY_REPLACED', `${name}: the previous 'pacemaker authkey' was replaced and cannot be restored if this run fails (pcsd cannot read keys)`, {host: name}));
  }
  log.done(name, 'authkey', `${name}: successful distribution of the file 'pacemaker authkey'`);
}

async function localNodeName(): Promise<string> {
  try {
    const r = await exec('crm_node', ['--name'], {timeoutMs: 10_000});
    if (r.code === 0 && r.stdout.trim()) return r.stdout.trim();
  } catch {
    // fall through
  }
  const {hostname} = await import('node:os');
  return hostname();
}

/** Online in crm_mon and its connection (explicit or a guest's implicit one) started. */
function nodeOnline(state: MonState, name: string): boolean {
  return state.nodes.some((n) => n.name === name && n.online) && state.resources.some((r) => r.id === name && r.role === 'Started');
}

async function waitOnline(name: string, kind: 'remote' | 'guest', seconds: number, reporter: Reporter): Promise<boolean> {
  reporter.emit(infoReport('WAITING', `Waiting up to ${seconds}s for ${kind} node '${name}' to come online...`));
  const outcome = await waitForCluster((s) => nodeOnline(s, name), seconds * 1000, reporter, (s) => explainOffline(s, name));
  if (outcome.ok) {
    reporter.emit(infoReport('NODE_ONLINE', `${kind === 'remote' ? 'RemoteOnline' : 'GuestOnline'}: '${name}' (after ${(outcome.waitedMs / 1000).toFixed(1)}s)`, {host: name}));
    return true;
  }
  throw new PcmkctlError(errorReport('NODE_NOT_ONLINE', `node '${name}' did not come online within ${seconds}s: ${outcome.reason}`, {host: name, hint: 'the node stays configured; check the host and crm_mon, or remove it again'}));
}

function explainOffline(state: MonState | undefined, name: string): string {
  if (!state) return 'crm_mon did not answer';
  const node = state.nodes.find((n) => n.name === name);
  const failures = state.failures.filter((f) => f.opKey.startsWith(`${name}_`) || f.node === name).map((f) => `${f.opKey} on ${f.node}: ${f.exitReason}`);
  const where = node ? `it is ${node.online ? 'online' : 'offline'}` : 'the cluster does not show it yet';
  return failures.length > 0 ? `${where}; failures: ${failures.join('; ')}` : `${where} (connection not established)`;
}

