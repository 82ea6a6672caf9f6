// Read-only questions about a parsed CIB: sections, resources, ids in use,
// cluster/remote/guest nodes, meta attributes. Pure functions, no I/O.
import {fail} from '../report.js';
import {childElements, firstChild, walk, type XmlDocument, type XmlElement} from './xml.js';

export const RESOURCE_TAGS = new Set(['primitive', 'group', 'clone', 'master', 'bundle']);
export const GUEST_META = ['remote-node', 'remote-addr', 'remote-port', 'remote-connect-timeout'] as const;

export function configuration(doc: XmlDocument): XmlElement {
  if (doc.root.name !== 'cib') fail('CIB_INVALID', `not a CIB: the root element is <${doc.root.name}>, expected <cib>`);
  const conf = firstChild(doc.root, 'configuration');
  if (!conf) fail('CIB_INVALID', 'not a CIB: <configuration> is missing');
  return conf;
}

/** A section of <configuration>; created empty if the CIB lacks it. */
export function section(doc: XmlDocument, name: 'crm_config' | 'nodes' | 'resources' | 'constraints'): XmlElement {
  const conf = configuration(doc);
  const found = firstChild(conf, name);
  if (found) return found;
  const created: XmlElement = {type: 'element', name, attrs: {}, children: []};
  conf.children.push(created);
  return created;
}

export function statusSection(doc: XmlDocument): XmlElement | undefined {
  return firstChild(doc.root, 'status');
}

export interface CibVersion {
  adminEpoch: number;
  epoch: number;
  numUpdates: number;
}

export function cibVersion(doc: XmlDocument): CibVersion {
  const num = (name: string) => {
    const v = doc.root.attrs[name] ?? '0';
    if (!/^\d+$/.test(v)) fail('CIB_INVALID', `the CIB's ${name} is not a number: '${v}'`);
    return Number(v);
  };
  return {adminEpoch: num('admin_epoch'), epoch: num('epoch'), numUpdates: num('num_updates')};
}

export function formatVersion(v: CibVersion): string {
  return `${v.adminEpoch}.${v.epoch}.${v.numUpdates}`;
}

/** Every id attribute in use outside the status section (xsd:ID is document-wide). */
export function idsInUse(doc: XmlDocument): Set<string> {
  const ids = new Set<string>();
  for (const c of childElements(doc.root)) {
    if (c.name === 'status') continue;
    walk(c, (el) => {
      const id = el.attrs.id;
      if (id !== undefined) ids.add(id);
    });
  }
  return ids;
}

export interface LocatedResource {
  element: XmlElement;
  /** Chain of resource containers from the top (group, clone, bundle...). */
  ancestors: XmlElement[];
}

/** All resources (any depth) in document order with their containers. */
export function allResources(doc: XmlDocument): LocatedResource[] {
  const out: LocatedResource[] = [];
  const visit = (el: XmlElement, ancestors: XmlElement[]) => {
    for (const c of childElements(el)) {
      if (!RESOURCE_TAGS.has(c.name)) continue;
      out.push({element: c, ancestors});
      visit(c, [...ancestors, c]);
    }
  };
  visit(section(doc, 'resources'), []);
  return out;
}

export function findResource(doc: XmlDocument, id: string): LocatedResource | undefined {
  return allResources(doc).find((r) => r.element.attrs.id === id);
}

export function isRemotePrimitive(el: XmlElement): boolean {
  return el.name === 'primitive' && el.attrs.class === 'ocf' && el.attrs.provider === 'pacemaker' && el.attrs.type === 'remote';
}

/** First value of an nvpair `name` in the element's first set of that tag. */
export function nvpairValue(el: XmlElement, setTag: 'meta_attributes' | 'instance_attributes', name: string): string | undefined {
  for (const set of childElements(el, setTag)) {
    for (const nv of childElements(set, 'nvpair')) if (nv.attrs.name === name) return nv.attrs.value ?? '';
  }
  return undefined;
}

export interface RemoteNode {
  name: string;
  /** `server` when set and non-empty, else the resource id (pcs rule). */
  address: string;
  port?: string;
  resource: XmlElement;
  ancestors: XmlElement[];
}

export function remoteNodes(doc: XmlDocument): RemoteNode[] {
  return allResources(doc)
    .filter((r) => isRemotePrimitive(r.element))
    .map((r) => {
      const id = r.element.attrs.id ?? '';
      const server = nvpairValue(r.element, 'instance_attributes', 'server');
      return {
        name: id,
        address: server ? server : id,
        port: nvpairValue(r.element, 'instance_attributes', 'port'),
        resource: r.element,
        ancestors: r.ancestors,
      };
    });
}

export interface GuestNode {
  name: string;
  /** remote-addr when set and non-empty, else the guest name. */
  address: string;
  port?: string;
  resource: XmlElement;
  ancestors: XmlElement[];
}

/** Primitives with a non-empty remote-node meta attribute (remote-addr alone is not a guest). */
export function guestNodes(doc: XmlDocument): GuestNode[] {
  const out: GuestNode[] = [];
  for (const r of allResources(doc)) {
    if (r.element.name !== 'primitive') continue;
    const name = nvpairValue(r.element, 'meta_attributes', 'remote-node');
    if (!name) continue;
    const addr = nvpairValue(r.element, 'meta_attributes', 'remote-addr');
    out.push({
      name,
      address: addr ? addr : name,
      port: nvpairValue(r.element, 'meta_attributes', 'remote-port'),
      resource: r.element,
      ancestors: r.ancestors,
    });
  }
  return out;
}

/** Cluster (corosync) node names known to the CIB's <nodes> section. */
export function clusterNodeNames(doc: XmlDocument): string[] {
  return childElements(section(doc, 'nodes'), 'node')
    .filter((n) => (n.attrs.type ?? 'member') === 'member' && n.attrs.uname)
    .map((n) => n.attrs.uname);
}
