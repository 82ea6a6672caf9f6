// File-mode equivalent of `crm_node --force --remove NAME` (which ignores
// CIB_file and would talk to the live daemons): delete the node's <node>
// and <node_state> entries and, when no resource of that id is configured
// any more, the orphaned history of its connection resource, which would
// otherwise make the scheduler re-create the node.
import {findResource} from '../query.js';
import {childElements, removeChild, type XmlDocument} from '../xml.js';
import {nodeEntries, nodeStates} from './node-references.js';
import {section, statusSection} from '../query.js';

export function purgeNode(doc: XmlDocument, name: string): boolean {
  let changed = false;
  const nodes = section(doc, 'nodes');
  for (const n of nodeEntries(doc, name)) changed = removeChild(nodes, n) || changed;
  const status = statusSection(doc);
  if (!status) return changed;
  for (const s of nodeStates(doc, name)) changed = removeChild(status, s) || changed;
  if (!findResource(doc, name)) {
    for (const state of childElements(status, 'node_state')) {
      for (const lrm of childElements(state, 'lrm')) {
        for (const list of childElements(lrm, 'lrm_resources')) {
          for (const r of childElements(list, 'lrm_resource')) {
            if (r.attrs.id === name) changed = removeChild(list, r) || changed;
          }
        }
      }
    }
  }
  return changed;
}
