// Setting and unsetting meta attributes with pcs semantics: the first
// meta_attributes set is used (created when a non-empty value needs it),
// `name=` removes the nvpair but never the set, same value = no change.
import type {IdAllocator} from '../ids.js';
import {childElements, element, firstChild, insertChild, removeChild, type XmlElement} from '../xml.js';

export type NvChange = readonly [name: string, value: string];

export interface SetMetaOptions {
  /** Where a newly created set goes: pcs's `resource update` appends, `add-guest` inserts first. */
  newSetPosition: 'first' | 'last';
}

/** Apply the changes to `rsc`; returns true when the element changed. */
export function setMetaAttributes(rsc: XmlElement, changes: readonly NvChange[], ids: IdAllocator, options: SetMetaOptions): boolean {
  let set = firstChild(rsc, 'meta_attributes');
  let changed = false;
  for (const [name, value] of changes) {
    const existing = set ? childElements(set, 'nvpair').find((nv) => nv.attrs.name === name) : undefined;
    if (value === '') {
      if (set && existing) changed = removeChild(set, existing) || changed;
      continue;
    }
    if (existing) {
      if (existing.attrs.value !== value) {
        existing.attrs.value = value;
        changed = true;
      }
      continue;
    }
    if (!set) {
      set = insertChild(rsc, element('meta_attributes', {id: ids.allocate(`${rsc.attrs.id}-meta_attributes`)}), options.newSetPosition);
    }
    insertChild(set, element('nvpair', {id: ids.allocate(`${set.attrs.id}-${name}`), name, value}));
    changed = true;
  }
  return changed;
}

/** Remove the named nvpairs from every meta set of `rsc` (sets are kept, even empty). */
export function unsetMetaEverywhere(rsc: XmlElement, names: readonly string[]): boolean {
  let changed = false;
  for (const set of childElements(rsc, 'meta_attributes')) {
    for (const nv of childElements(set, 'nvpair')) {
      if (names.includes(nv.attrs.name)) changed = removeChild(set, nv) || changed;
    }
  }
  return changed;
}
