// The CIB side of `cluster node add-guest` / `remove-guest`: pcs's meta
// attributes on the resource's first meta set (created as its first child),
// new nvpairs appended in alphabetical order; removal deletes the four
// remote-* attributes from every set and keeps the (maybe empty) sets.
import {IdAllocator} from '../ids.js';
import {findResource, GUEST_META, guestNodes, isRemotePrimitive, nvpairValue} from '../query.js';
import {isDuration, isPort} from '../values.js';
import type {XmlDocument} from '../xml.js';
import type {ReportList} from '../../report.js';
import {setMetaAttributes, unsetMetaEverywhere} from './meta.js';
import {nodeConflicts, type ExistingNodes} from './node-names.js';
import type {OptionPair} from './remote-node.js';

export const GUEST_OPTIONS = ['remote-addr', 'remote-connect-timeout', 'remote-port'];

export interface GuestNodeSpec {
  name: string;
  resourceId: string;
  /** remote-addr (always written), remote-port, remote-connect-timeout. */
  options: OptionPair[];
}

export type GuestCheck = 'add' | 'unchanged';

/** Validate; returns 'unchanged' when the resource already is exactly this guest. */
export function validateGuestNode(doc: XmlDocument, spec: GuestNodeSpec, existing: ExistingNodes, reports: ReportList): GuestCheck {
  for (const {name, value} of spec.options) {
    if (!GUEST_OPTIONS.includes(name)) {
      reports.error('INVALID_OPTION', `invalid guest option '${name}', allowed options are: ${GUEST_OPTIONS.map((o) => `'${o}'`).join(', ')}`);
    } else if (name === 'remote-port' && !isPort(value)) {
      reports.error('INVALID_PORT', `'${value}' is not a valid remote-port value, use a port number (1..65535)`);
    } else if (name === 'remote-connect-timeout' && !isDuration(value)) {
      reports.error('INVALID_DURATION', `'${value}' is not a valid remote-connect-timeout value, use time interval (e.g. 1, 2s, 3m, 4h, ...)`);
    }
  }
  if (spec.name === '') reports.error('INVALID_NODE_NAME', 'node name cannot be empty');
  const located = findResource(doc, spec.resourceId);
  if (!located) {
    reports.error('RESOURCE_NOT_FOUND', `resource '${spec.resourceId}' does not exist`);
    return 'add';
  }
  const rsc = located.element;
  if (rsc.name !== 'primitive') {
    reports.error('NOT_A_PRIMITIVE', `'${spec.resourceId}' is not a resource`, {hint: 'a guest node needs a primitive resource (the VM or container)'});
    return 'add';
  }
  const currentName = nvpairValue(rsc, 'meta_attributes', 'remote-node');
  if (currentName) {
    const same = currentName === spec.name && spec.options.every((o) => nvpairValue(rsc, 'meta_attributes', o.name) === o.value);
    if (same) return 'unchanged';
    reports.error('ALREADY_GUEST', `the resource '${spec.resourceId}' is already a guest node${currentName === spec.name ? ' with different settings' : ` ('${currentName}')`}`);
    return 'add';
  }
  const container = located.ancestors.find((a) => a.name === 'clone' || a.name === 'master' || a.name === 'bundle');
  if (container) {
    reports.error('GUEST_IN_CLONE', `resource '${spec.resourceId}' is inside ${container.name} '${container.attrs.id}': Pacemaker does not create guest nodes from cloned resources`, {forceable: 'force'});
  } else if (located.ancestors.some((a) => a.name === 'group')) {
    reports.warning('GUEST_IN_GROUP', `resource '${spec.resourceId}' is in a group: the guest node starts and stops with the group`);
  }
  if (rsc.attrs.class === 'stonith') reports.error('GUEST_ON_STONITH', `'${spec.resourceId}' is a fence device and cannot be a guest node`, {forceable: 'force'});
  if (isRemotePrimitive(rsc)) reports.error('GUEST_ON_REMOTE', `'${spec.resourceId}' is a remote node connection and cannot be a guest node`, {forceable: 'force'});
  if (spec.name !== '') {
    const address = spec.options.find((o) => o.name === 'remote-addr')?.value ?? spec.name;
    nodeConflicts(doc, spec.name, address, existing, reports);
  }
  return 'add';
}

export function addGuestNode(doc: XmlDocument, spec: GuestNodeSpec): boolean {
  const rsc = findResource(doc, spec.resourceId)!.element;
  const changes = [...spec.options, {name: 'remote-node', value: spec.name}]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((o) => [o.name, o.value] as const);
  return setMetaAttributes(rsc, changes, new IdAllocator(doc), {newSetPosition: 'first'});
}

/** Guests whose node name, remote-addr or resource id equals the identifier. */
export function findGuestNodes(doc: XmlDocument, identifier: string) {
  return guestNodes(doc).filter((g) => g.name === identifier || g.resource.attrs.id === identifier || nvpairValue(g.resource, 'meta_attributes', 'remote-addr') === identifier);
}

export function removeGuestMeta(doc: XmlDocument, resourceId: string): boolean {
  const located = findResource(doc, resourceId);
  return located ? unsetMetaEverywhere(located.element, GUEST_META) : false;
}
