// Where a CIB still mentions a node by name: what `node remove` refuses
// over, and what the removal workflows report as dangling.
import {childElements, walk, type XmlDocument, type XmlElement} from '../xml.js';
import {configuration, guestNodes, remoteNodes, section, statusSection} from '../query.js';

export interface NodeReference {
  kind: 'remote-resource' | 'guest-resource' | 'location-constraint' | 'location-rule' | 'node-attributes' | 'fencing-level';
  /** id of the element holding the reference. */
  id: string;
  description: string;
}

export function nodeReferences(doc: XmlDocument, name: string): NodeReference[] {
  const refs: NodeReference[] = [];
  for (const r of remoteNodes(doc)) {
    if (r.name === name || r.address === name) {
      refs.push({kind: 'remote-resource', id: r.name, description: `remote node connection resource '${r.name}'`});
    }
  }
  for (const g of guestNodes(doc)) {
    if (g.name === name) {
      refs.push({kind: 'guest-resource', id: g.resource.attrs.id, description: `guest node resource '${g.resource.attrs.id}' (remote-node=${name})`});
    }
  }
  walk(section(doc, 'constraints'), (el) => {
    if (el.name === 'rsc_location' && el.attrs.node === name) {
      refs.push({kind: 'location-constraint', id: el.attrs.id, description: `location constraint '${el.attrs.id}'`});
    }
    if (el.name === 'expression' && (el.attrs.attribute === '#uname' || el.attrs.attribute === '#id') && el.attrs.value === name) {
      refs.push({kind: 'location-rule', id: el.attrs.id, description: `rule expression '${el.attrs.id}'`});
    }
  });
  // <fencing-topology> is a sibling of <constraints>, not inside it
  for (const topology of childElements(configuration(doc), 'fencing-topology')) {
    for (const level of childElements(topology, 'fencing-level')) {
      if (level.attrs.target === name) refs.push({kind: 'fencing-level', id: level.attrs.id, description: `fencing level '${level.attrs.id}'`});
    }
  }
  for (const node of nodeEntries(doc, name)) {
    if (childElements(node).some((c) => c.name === 'instance_attributes' || c.name === 'utilization')) {
      refs.push({kind: 'node-attributes', id: node.attrs.id, description: `node attributes of '${name}'`});
    }
  }
  return refs;
}

/** <nodes><node uname=name> entries. */
export function nodeEntries(doc: XmlDocument, name: string): XmlElement[] {
  return childElements(section(doc, 'nodes'), 'node').filter((n) => n.attrs.uname === name);
}

/** <status><node_state uname=name> entries. */
export function nodeStates(doc: XmlDocument, name: string): XmlElement[] {
  const status = statusSection(doc);
  return status ? childElements(status, 'node_state').filter((n) => n.attrs.uname === name) : [];
}
