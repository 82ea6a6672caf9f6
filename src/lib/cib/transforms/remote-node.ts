// The CIB side of `cluster node add-remote` / `remove-remote`: exactly the
// primitive pcs 0.11.5 writes (attribute, child and op order, ids, default
// operations from the agent metadata), plus the checks pcs lacks (value
// types, guest meta on a connection, idempotent re-runs).
import type {AgentMetadata} from '../agent-metadata.js';
import {IdAllocator, invalidIdReason} from '../ids.js';
import {allResources, idsInUse, isRemotePrimitive, remoteNodes, RESOURCE_TAGS, section} from '../query.js';
import {isDuration, isPort} from '../values.js';
import {childElements, element, insertChild, removeChild, serializeElement, walk, type XmlDocument, type XmlElement} from '../xml.js';
import type {ReportList} from '../../report.js';
import {nodeConflicts, type ExistingNodes} from './node-names.js';

export interface OptionPair {
  name: string;
  value: string;
}

export interface OperationSpec {
  action: string;
  options: OptionPair[];
}

export interface RemoteNodeSpec {
  name: string;
  address: string;
  instance: OptionPair[];
  ops: OperationSpec[];
  meta: OptionPair[];
  noDefaultOps: boolean;
}

const OP_OPTIONS = ['OCF_CHECK_LEVEL', 'description', 'enabled', 'id', 'interval', 'interval-origin', 'name', 'on-fail', 'record-pending', 'role', 'start-delay', 'timeout'];
const NOT_AN_OP = new Set(['meta-data', 'status', 'validate-all']);
const GUEST_ONLY_META = ['remote-node', 'remote-addr', 'remote-port', 'remote-connect-timeout'];

const list = (names: Iterable<string>) => [...names].map((n) => `'${n}'`).join(', ');

/** Validate the spec against the CIB; all problems go to `reports`. */
export function validateRemoteNode(doc: XmlDocument, spec: RemoteNodeSpec, metadata: AgentMetadata, existing: ExistingNodes, reports: ReportList): void {
  const idProblem = invalidIdReason(spec.name);
  if (idProblem) reports.error('INVALID_NODE_NAME', idProblem);
  const self = remoteNodes(doc).find((r) => r.name === spec.name);
  if (!self) nodeConflicts(doc, spec.name, spec.address, existing, reports);

  const allowed = metadata.parameters.filter((p) => p !== 'server').concat(['trace_file', 'trace_ra']).sort();
  for (const {name, value} of spec.instance) {
    if (name === 'server') {
      reports.error('INVALID_OPTION', `invalid resource option 'server', allowed options are: ${list(allowed)}`, {hint: 'give the address as the second argument'});
    } else if (!allowed.includes(name)) {
      reports.error('INVALID_OPTION', `invalid resource option '${name}', allowed options are: ${list(allowed)}`, {forceable: 'force'});
    } else if (name === 'port' && !isPort(value)) {
      reports.error('INVALID_PORT', `'${value}' is not a valid port value, use a port number (1..65535)`);
    } else if (name === 'reconnect_interval' && !isDuration(value)) {
      reports.error('INVALID_DURATION', `'${value}' is not a valid reconnect_interval value, use time interval (e.g. 1, 2s, 3m, 4h, ...)`);
    }
  }
  for (const {name} of spec.meta) {
    if (GUEST_ONLY_META.includes(name)) {
      reports.error('GUEST_META_ON_REMOTE', `meta attribute '${name}' belongs to guest nodes and must not be set on a remote node connection`);
    }
  }
  const actions = metadata.actions.map((a) => a.name);
  const seen = new Map<string, string[]>();
  for (const op of spec.ops) {
    if (!actions.includes(op.action)) {
      reports.error('INVALID_OPERATION', `'${op.action}' is not a valid operation name value, use ${list([...actions].sort())}`, {forceable: 'force'});
    }
    const bad = op.options.filter((o) => !OP_OPTIONS.includes(o.name)).map((o) => o.name);
    if (bad.length > 0) reports.error('INVALID_OP_OPTION', `invalid resource operation options: ${list(bad)}, allowed options are: ${list(OP_OPTIONS)}`);
    for (const o of op.options) {
      if (o.name === 'name' && o.value !== op.action) reports.error('INVALID_OP_OPTION', `duplicate option 'name' with different values '${op.action}' and '${o.value}'`);
      if (o.name === 'id') {
        const problem = invalidIdReason(o.value, 'operation id');
        if (problem) reports.error('INVALID_OP_ID', problem);
        else if (idsInUse(doc).has(o.value) || o.value === spec.name) reports.error('ID_EXISTS', `'${o.value}' already exists`);
      }
      if ((o.name === 'interval' || o.name === 'timeout' || o.name === 'start-delay') && !isDuration(o.value)) {
        reports.error('INVALID_DURATION', `'${o.value}' is not a valid ${o.name} value, use time interval (e.g. 1, 2s, 3m, 4h, ...)`);
      }
    }
    const interval = opInterval(op);
    // name + interval, whatever the role: Pacemaker refuses two such ops per resource
    const key = `${op.action}/${seconds(interval)}`;
    seen.set(key, [...(seen.get(key) ?? []), interval]);
  }
  for (const [key, intervals] of seen) {
    if (intervals.length > 1) {
      reports.error('DUPLICATE_OPERATION', `multiple specification of the same operation with the same interval: ${key.split('/')[0]} with intervals ${intervals.join(', ')}`);
    }
  }
}

function opInterval(op: OperationSpec): string {
  return op.options.find((o) => o.name === 'interval')?.value ?? (op.action === 'monitor' ? '60s' : '0s');
}

function seconds(duration: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(duration);
  if (!m) return Number.NaN;
  const unit = m[2].toLowerCase();
  const factor = unit === 'ms' || unit === 'msec' ? 0.001 : unit === 'us' || unit === 'usec' ? 1e-6 : unit === 'm' || unit === 'min' ? 60 : unit === 'h' || unit === 'hr' ? 3600 : 1;
  return Number(m[1]) * factor;
}

/** Build the primitive exactly as pcs does. */
export function buildRemotePrimitive(spec: RemoteNodeSpec, metadata: AgentMetadata, ids: IdAllocator): XmlElement {
  const name = spec.name;
  ids.reserve(name);
  const primitive = element('primitive', {id: name, class: 'ocf', type: 'remote', provider: 'pacemaker'});
  const instance = [...spec.instance, {name: 'server', value: spec.address}].sort((a, b) => a.name.localeCompare(b.name));
  primitive.children.push(nvset('instance_attributes', name, instance, ids));
  if (spec.meta.length > 0) primitive.children.push(nvset('meta_attributes', name, [...spec.meta].sort((a, b) => a.name.localeCompare(b.name)), ids));

  const ops: XmlElement[] = spec.ops.map((op) => {
    const attrs: Record<string, string> = {name: op.action};
    // user attributes in the given order (a given id included), then interval and id when missing
    for (const o of op.options) if (o.name !== 'name' && o.name !== 'OCF_CHECK_LEVEL') attrs[o.name] = o.value;
    if (!('interval' in attrs)) attrs.interval = opInterval(op);
    if ('id' in attrs) ids.reserve(attrs.id);
    else attrs.id = ids.allocate(`${name}-${op.action}-interval-${attrs.interval}`);
    return opElement(attrs, op.options.find((o) => o.name === 'OCF_CHECK_LEVEL')?.value, ids);
  });
  const userActions = new Set(spec.ops.map((o) => o.action));
  for (const action of metadata.actions) {
    if (NOT_AN_OP.has(action.name) || userActions.has(action.name)) continue;
    if (spec.noDefaultOps && action.name !== 'monitor') continue;
    const interval = action.interval ?? (action.name === 'monitor' ? '60s' : '0s');
    const attrs: Record<string, string> = {name: action.name, interval};
    if (action.timeout) attrs.timeout = action.timeout;
    if (action.role) attrs.role = action.role;
    attrs.id = ids.allocate(`${name}-${action.name}-interval-${interval}`);
    ops.push(opElement(attrs, action.depth && action.depth !== '0' ? action.depth : undefined, ids));
  }
  ops.sort((a, b) => (a.attrs.name < b.attrs.name ? -1 : a.attrs.name > b.attrs.name ? 1 : 0));
  primitive.children.push(element('operations', {}, ops));
  return primitive;
}

/** An op; OCF_CHECK_LEVEL is not an attribute but an nvpair of the op's own instance_attributes (as pcs writes it). */
function opElement(attrs: Record<string, string>, checkLevel: string | undefined, ids: IdAllocator): XmlElement {
  const op = element('op', attrs);
  if (checkLevel !== undefined) op.children.push(nvset('instance_attributes', attrs.id, [{name: 'OCF_CHECK_LEVEL', value: checkLevel}], ids));
  return op;
}

function nvset(tag: 'instance_attributes' | 'meta_attributes', owner: string, pairs: OptionPair[], ids: IdAllocator): XmlElement {
  const setId = ids.allocate(`${owner}-${tag}`);
  return element(tag, {id: setId}, pairs.map((p) => element('nvpair', {id: ids.allocate(`${setId}-${p.name}`), name: p.name, value: p.value})));
}

/**
 * Add the connection resource. An identical one already present is "no
 * change" (idempotent re-runs); a different one is an error naming the
 * differences.
 */
export function addRemoteNode(doc: XmlDocument, spec: RemoteNodeSpec, metadata: AgentMetadata, reports: ReportList): boolean {
  const existing = allResources(doc).find((r) => r.element.attrs.id === spec.name && isRemotePrimitive(r.element));
  const ids = new IdAllocator(doc);
  if (existing) {
    const differences = compareRemote(existing.element, spec, metadata);
    if (differences.length > 0) {
      reports.error('NODE_EXISTS_DIFFERENT', `remote node '${spec.name}' already exists with different settings: ${differences.join('; ')}`, {
        hint: "remove it first with 'pcmkctl cluster node remove-remote', or change it with 'pcmkctl resource update'",
      });
    }
    return false;
  }
  insertChild(section(doc, 'resources'), buildRemotePrimitive(spec, metadata, ids));
  return true;
}

function nvpairs(el: XmlElement, tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const set of childElements(el, tag)) for (const nv of childElements(set, 'nvpair')) out.set(nv.attrs.name, nv.attrs.value ?? '');
  return out;
}

function compareRemote(current: XmlElement, spec: RemoteNodeSpec, metadata: AgentMetadata): string[] {
  const wanted = buildRemotePrimitive(spec, metadata, new IdAllocator({root: element('cib'), prolog: []}));
  const diffs: string[] = [];
  for (const tag of ['instance_attributes', 'meta_attributes']) {
    const have = nvpairs(current, tag);
    const want = nvpairs(wanted, tag);
    for (const name of new Set([...have.keys(), ...want.keys()])) {
      if (have.get(name) !== want.get(name)) diffs.push(`${name} is '${have.get(name) ?? '(unset)'}', wanted '${want.get(name) ?? '(unset)'}'`);
    }
  }
  const opsOf = (el: XmlElement) =>
    childElements(el, 'operations')
      .flatMap((o) => childElements(o, 'op'))
      .map((op) => serializeElement({...op, attrs: {...op.attrs, id: ''}}))
      .sort()
      .join('');
  if (opsOf(current) !== opsOf(wanted)) diffs.push('operations differ');
  return diffs;
}

/** Connection resources matching a node name (= resource id) or a server address. */
export function findRemoteNodes(doc: XmlDocument, identifier: string) {
  return remoteNodes(doc).filter((r) => r.name === identifier || r.address === identifier);
}

/**
 * Delete resources and everything that references them: constraints (and
 * resource-set members), tag references, and location constraints on the
 * node names (pcs does the same for remote nodes).
 */
export function removeResourcesAndReferences(doc: XmlDocument, resourceIds: string[], nodeNames: string[]): boolean {
  let changed = false;
  const doomed: Array<[XmlElement, XmlElement]> = [];
  walk(section(doc, 'resources'), (el, parent) => {
    if (parent && resourceIds.includes(el.attrs.id) && RESOURCE_TAGS.has(el.name)) {
      doomed.push([parent, el]);
      return false;
    }
    return true;
  });
  for (const [parent, el] of doomed) changed = removeChild(parent, el) || changed;
  const constraints = section(doc, 'constraints');
  const refAttrs = ['rsc', 'with-rsc', 'first', 'then'];
  for (const c of childElements(constraints)) {
    if (refAttrs.some((a) => resourceIds.includes(c.attrs[a])) || (c.name === 'rsc_location' && nodeNames.includes(c.attrs.node))) {
      changed = removeChild(constraints, c) || changed;
      continue;
    }
    for (const set of childElements(c, 'resource_set')) {
      for (const ref of childElements(set, 'resource_ref')) if (resourceIds.includes(ref.attrs.id)) changed = removeChild(set, ref) || changed;
      if (childElements(set, 'resource_ref').length === 0) changed = removeChild(c, set) || changed;
    }
    if (c.name !== 'rsc_location' && childElements(c).length === 0 && !refAttrs.some((a) => a in c.attrs)) changed = removeChild(constraints, c) || changed;
  }
  const conf = doc.root.children.find((c) => c.type === 'element' && c.name === 'configuration') as XmlElement;
  const tags = childElements(conf, 'tags')[0];
  if (tags) {
    for (const tag of childElements(tags, 'tag')) {
      for (const ref of childElements(tag, 'obj_ref')) if (resourceIds.includes(ref.attrs.id)) changed = removeChild(tag, ref) || changed;
      if (childElements(tag, 'obj_ref').length === 0) changed = removeChild(tags, tag) || changed;
    }
  }
  return changed;
}
