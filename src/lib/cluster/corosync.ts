// Cluster (corosync) node names and ring addresses of a live cluster, read
// from this node's corosync.conf: new remote/guest names and addresses must
// not collide with them.
import {readFile} from 'node:fs/promises';
import type {ExistingNodes} from '../cib/transforms/node-names.js';

export const COROSYNC_CONF = '/etc/corosync/corosync.conf';

export function parseCorosyncNodes(text: string): ExistingNodes {
  const names: string[] = [];
  const addresses: string[] = [];
  // nodelist { node { ring0_addr: ...  name: ... } ... } -- flat key scan inside node blocks
  const nodeBlocks = text.match(/node\s*\{[^{}]*\}/g) ?? [];
  for (const block of nodeBlocks) {
    for (const line of block.split('\n')) {
      const m = /^\s*([a-z0-9_]+)\s*:\s*(\S+)\s*$/.exec(line);
      if (!m) continue;
      if (m[1] === 'name') names.push(m[2]);
      else if (/^ring\d+_addr$/.test(m[1])) addresses.push(m[2]);
    }
  }
  return {names, addresses};
}

export async function corosyncNodes(path = COROSYNC_CONF): Promise<ExistingNodes> {
  try {
    return parseCorosyncNodes(await readFile(path, 'utf8'));
  } catch {
    return {names: [], addresses: []};
  }
}
