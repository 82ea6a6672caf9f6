// Does anything accept TCP connections at addr:port? Used after starting
// pacemaker_remote: a unit of Type=simple reports "started" even when the
// daemon exits right away (e.g. it cannot bind its address), and a firewall
// in the way shows up here too. Connect and close only: no TLS handshake is
// made, so a connected cluster is never disturbed.
import {connect} from 'node:net';

function tryConnect(addr: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host: addr, port, timeout: timeoutMs});
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** Poll (every 25 ms: a refused connect costs nothing) until a connection succeeds or the deadline passes. */
export async function waitForTcp(addr: string, port: number, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  for (let i = 0; i < 2000; i++) {
    if (await tryConnect(addr, port, Math.max(200, Math.min(2000, end - Date.now())))) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}
