// The CLI's one module: everything bin/run.js needs, bundled into
// dist/cli.js with oclif itself (scripts/bundle.mjs). One file loads in about
// half the time of the hundred-odd modules it replaces, and run() uses the same
// oclif instance as the commands. oclif finds the commands in COMMANDS
// (package.json: oclif.commands, strategy "explicit"); the command ids are
// the paths under src/commands (a test keeps the two in step).
import ClusterCib from './commands/cluster/cib.js';
import ClusterCibPush from './commands/cluster/cib-push.js';
import ClusterNodeAddGuest from './commands/cluster/node/add-guest.js';
import ClusterNodeAddRemote from './commands/cluster/node/add-remote.js';
import ClusterNodeRemoveGuest from './commands/cluster/node/remove-guest.js';
import ClusterNodeRemoveRemote from './commands/cluster/node/remove-remote.js';
import HostAuth from './commands/host/auth.js';
import HostDeauth from './commands/host/deauth.js';
import NodeRemove from './commands/node/remove.js';
import ResourceUpdate from './commands/resource/update.js';

export {flush, handle, run} from '@oclif/core';
export {normalizeArgv} from './lib/cli/argv.js';

export const COMMANDS = {
  'cluster:cib': ClusterCib,
  'cluster:cib-push': ClusterCibPush,
  'cluster:node:add-guest': ClusterNodeAddGuest,
  'cluster:node:add-remote': ClusterNodeAddRemote,
  'cluster:node:remove-guest': ClusterNodeRemoveGuest,
  'cluster:node:remove-remote': ClusterNodeRemoveRemote,
  'host:auth': HostAuth,
  'host:deauth': HostDeauth,
  'node:remove': NodeRemove,
  'resource:update': ResourceUpdate,
};
