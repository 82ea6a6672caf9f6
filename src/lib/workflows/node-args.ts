// pcs grammar of the node commands, parsed in one place:
//   add-remote <name> [<address>] [k=v]... [op <action> [k=v]...]... [meta [k=v]...]
//   add-guest  <name> <resource id> [k=v]...
import type {OperationSpec, OptionPair} from '../cib/transforms/remote-node.js';
import {fail, ReportList} from '../report.js';
import {parseNameValues, printable} from './options.js';

export interface AddRemoteArgs {
  name: string;
  address?: string;
  instance: OptionPair[];
  ops: OperationSpec[];
  meta: OptionPair[];
}

export function parseAddRemoteArgs(tokens: readonly string[]): AddRemoteArgs {
  const [name, ...rest] = tokens;
  if (name === undefined || name === '') fail('USAGE', 'missing node name', {hint: 'usage: cluster node add-remote <node name> [<node address>] [options]'}, 2);
  if (name.includes('=')) {
    fail('INVALID_NODE_NAME', `invalid node name '${printable(name)}': a node name cannot contain '='`, {hint: 'the first argument is the node name, e.g. add-remote node1 192.0.2.1 port=3121'});
  }
  let i = 0;
  let address: string | undefined;
  if (rest.length > 0 && !rest[0].includes('=') && rest[0] !== 'op' && rest[0] !== 'meta') address = rest[i++];
  const reports = new ReportList();
  const instanceTokens: string[] = [];
  while (i < rest.length && rest[i] !== 'op' && rest[i] !== 'meta') instanceTokens.push(rest[i++]);
  const ops: OperationSpec[] = [];
  const opTokens: {action: string; tokens: string[]}[] = [];
  const metaTokens: string[] = [];
  while (i < rest.length) {
    const keyword = rest[i++];
    if (keyword === 'meta') {
      while (i < rest.length && rest[i] !== 'op' && rest[i] !== 'meta') metaTokens.push(rest[i++]);
      continue;
    }
    // op: one or more "<action> k=v..." groups
    if (i >= rest.length || rest[i].includes('=') || rest[i] === 'meta' || rest[i] === 'op') {
      reports.error('USAGE', "'op' needs an operation name, e.g. op monitor interval=30s");
      continue;
    }
    while (i < rest.length && rest[i] !== 'op' && rest[i] !== 'meta') {
      const action = rest[i++];
      const group = {action, tokens: [] as string[]};
      while (i < rest.length && rest[i].includes('=')) group.tokens.push(rest[i++]);
      opTokens.push(group);
    }
  }
  const instance = parseNameValues(instanceTokens, 'option', reports);
  for (const group of opTokens) ops.push({action: group.action, options: parseNameValues(group.tokens, `option of operation '${group.action}'`, reports)});
  const meta = parseNameValues(metaTokens, 'meta option', reports);
  reports.throwIfErrors(2);
  return {name, address, instance, ops, meta};
}

export interface AddGuestArgs {
  name: string;
  resourceId: string;
  options: OptionPair[];
}

export function parseAddGuestArgs(tokens: readonly string[]): AddGuestArgs {
  const [name, resourceId, ...rest] = tokens;
  if (!name || !resourceId) fail('USAGE', 'missing node name or resource id', {hint: 'usage: cluster node add-guest <node name> <resource id> [options]'}, 2);
  if (name.includes('=')) fail('INVALID_NODE_NAME', `invalid node name '${printable(name)}': a node name cannot contain '='`);
  if (resourceId.includes('=')) fail('USAGE', `missing resource id: '${printable(resourceId)}' is an option`, {hint: 'usage: cluster node add-guest <node name> <resource id> [options]'}, 2);
  const reports = new ReportList();
  const options = parseNameValues(rest, 'guest option', reports);
  reports.throwIfErrors(2);
  return {name, resourceId, options};
}
