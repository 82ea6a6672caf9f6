// Cluster state as crm_mon reports it, and bounded waiting for a node.
import {parseXml, childElements, firstChild, type XmlElement} from '../cib/xml.js';
import type {Reporter} from '../report.js';
import {exec} from '../util/exec.js';

export interface MonNode {
  name: string;
  type: string;
  online: boolean;
  idAsResource?: string;
}

export interface MonFailure {
  opKey: string;
  node: string;
  exitReason: string;
}

export interface MonState {
  nodes: MonNode[];
  resources: {id: string; agent: string; role: string; nodes: string[]}[];
  failures: MonFailure[];
}

export async function crmMon(reporter: Reporter): Promise<MonState | undefined> {
  const r = await exec('crm_mon', ['--one-shot', '--output-as=xml', '--inactive'], {reporter, timeoutMs: 30_000});
  if (r.code !== 0 && !r.stdout.includes('<pacemaker-result')) return undefined;
  const doc = await parseXml(r.stdout, 'crm_mon output');
  const nodes = firstChild(doc.root, 'nodes');
  const resources = firstChild(doc.root, 'resources');
  const failures = firstChild(doc.root, 'failures');
  const flatten = (el: XmlElement): XmlElement[] =>
    childElements(el).flatMap((c) => (c.name === 'resource' ? [c] : flatten(c)));
  return {
    nodes: nodes
      ? childElements(nodes, 'node').map((n) => ({name: n.attrs.name, type: n.attrs.type, online: n.attrs.online === 'true', idAsResource: n.attrs.id_as_resource}))
      : [],
    resources: resources
      ? flatten(resources).map((r) => ({id: r.attrs.id, agent: r.attrs.resource_agent, role: r.attrs.role, nodes: childElements(r, 'node').map((n) => n.attrs.name)}))
      : [],
    failures: failures
      ? childElements(failures, 'failure').map((f) => ({opKey: f.attrs.op_key, node: f.attrs.node, exitReason: f.attrs.exitreason ?? f.attrs.exitstatus ?? ''}))
      : [],
  };
}

export interface WaitOutcome {
  ok: boolean;
  waitedMs: number;
  /** Why not, when not ok. */
  reason?: string;
}

/**
 * Gap between polls: short at first, where most waits end (a remote node
 * connects ~0.6 s after the commit), growing with the time waited so a long
 * wait costs little (crm_mon takes ~20 ms of CPU).
 */
function pollGapMs(waitedMs: number): number {
  return Math.min(1000, 50 + Math.floor(waitedMs / 10));
}

/** Poll crm_mon until `done(state)` or the deadline; every poll is bounded too. */
export async function waitForCluster(done: (s: MonState) => boolean, timeoutMs: number, reporter: Reporter, explain: (s: MonState | undefined) => string): Promise<WaitOutcome> {
  const started = Date.now();
  let last: MonState | undefined;
  for (let i = 0; i < 10_000; i++) {
    last = await crmMon(reporter);
    if (last && done(last)) return {ok: true, waitedMs: Date.now() - started};
    if (Date.now() - started >= timeoutMs) break;
    await new Promise((r) => setTimeout(r, pollGapMs(Date.now() - started)));
  }
  return {ok: false, waitedMs: Date.now() - started, reason: explain(last)};
}
