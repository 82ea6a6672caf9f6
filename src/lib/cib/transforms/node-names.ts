// Name and address collisions between a new remote/guest node and
// everything already in the cluster (pcs: "'x' already exists").
import type {ReportList} from '../../report.js';
import {clusterNodeNames, guestNodes, idsInUse, remoteNodes} from '../query.js';
import type {XmlDocument} from '../xml.js';

/** Cluster nodes from outside the CIB (corosync.conf on a live cluster). */
export interface ExistingNodes {
  names: string[];
  addresses: string[];
}

export function nodeConflicts(doc: XmlDocument, name: string, address: string, existing: ExistingNodes, reports: ReportList): void {
  const names = new Set([...existing.names, ...clusterNodeNames(doc), ...remoteNodes(doc).map((r) => r.name), ...guestNodes(doc).map((g) => g.name)]);
  const addresses = new Set([...existing.addresses, ...existing.names, ...remoteNodes(doc).map((r) => r.address), ...guestNodes(doc).map((g) => g.address)]);
  const addressTaken = addresses.has(address);
  if (addressTaken) reports.error('ADDRESS_EXISTS', `'${address}' already exists`);
  if ((names.has(name) || idsInUse(doc).has(name)) && !(addressTaken && address === name)) {
    reports.error('NAME_EXISTS', `'${name}' already exists`);
  }
}
