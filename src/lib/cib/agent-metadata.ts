// The ocf:pacemaker:remote agent's parameters and actions, as pcs reads
// them: from `crm_resource --show-metadata` when Pacemaker is installed (so
// default operations follow the installed version), else the Pacemaker
// 2.1.5 values (file mode on a machine without Pacemaker tools).
import type {Reporter} from '../report.js';
import {exec} from '../util/exec.js';
import {childElements, firstChild, parseXml} from './xml.js';

export interface AgentAction {
  name: string;
  timeout?: string;
  interval?: string;
  role?: string;
  depth?: string;
}

export interface AgentMetadata {
  parameters: string[];
  actions: AgentAction[];
  source: 'crm_resource' | 'built-in';
}

const BUILT_IN_REMOTE: AgentMetadata = {
  parameters: ['server', 'port', 'reconnect_interval'],
  actions: [
    {name: 'start', timeout: '60s'},
    {name: 'stop', timeout: '60s'},
    {name: 'monitor', timeout: '30s'},
    {name: 'migrate_to', timeout: '60s'},
    {name: 'migrate_from', timeout: '60s'},
    {name: 'reload', timeout: '60s'},
    {name: 'reload-agent', timeout: '60s'},
    {name: 'meta-data', timeout: '5s'},
  ],
  source: 'built-in',
};

export async function remoteAgentMetadata(reporter: Reporter): Promise<AgentMetadata> {
  let text: string;
  try {
    const r = await exec('crm_resource', ['--show-metadata', 'ocf:pacemaker:remote'], {reporter, timeoutMs: 30_000});
    if (r.code !== 0) return BUILT_IN_REMOTE;
    text = r.stdout;
  } catch {
    return BUILT_IN_REMOTE;
  }
  const doc = await parseXml(text, 'ocf:pacemaker:remote metadata');
  const params = firstChild(doc.root, 'parameters');
  const actions = firstChild(doc.root, 'actions');
  if (!params || !actions) return BUILT_IN_REMOTE;
  return {
    parameters: childElements(params, 'parameter').map((p) => p.attrs.name),
    actions: childElements(actions, 'action').map((a) => ({
      name: a.attrs.name,
      timeout: a.attrs.timeout,
      interval: a.attrs.interval,
      role: a.attrs.role,
      depth: a.attrs.depth,
    })),
    source: 'crm_resource',
  };
}
