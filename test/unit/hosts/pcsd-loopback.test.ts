// The pcsd client against local servers on loopback: a small HTTPS server
// playing pcsd (self-signed cert like pcsd's, made with openssl), and fakes
// that inject faults a real pcsd cannot produce on demand (garbage answers,
// a silent port). Real pcsd is exercised in test/lab-tests/hosts.test.ts.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer as createHttpsServer, type Server} from 'node:https';
import {createConnection, createServer as createTcpServer, type Server as TcpServer, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {HostErrorCode} from '../../../src/lib/hosts/host-errors.js';
import {readKnownHosts} from '../../../src/lib/hosts/known-hosts.js';
import {PcsdTransport} from '../../../src/lib/hosts/pcsd.js';
import {readPins} from '../../../src/lib/hosts/pins.js';
import {PcmkctlError, silentReporter} from '../../../src/lib/report.js';
import {hostAuth} from '../../../src/lib/workflows/host-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'pcmkctl-pcsd-'));
const khPath = join(dir, 'known-hosts');
const pinPath = join(dir, 'pins.json');
process.env.PCMKCTL_KNOWN_HOSTS = khPath;
process.env.PCMKCTL_PINS = pinPath;

function makeCert(name: string): {key: Buffer; cert: Buffer; fp: string} {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '3650', '-subj', `/C=US/O=pcsd/OU=pcsd/CN=${name}`], {stdio: 'ignore'});
  const fp = execFileSync('openssl', ['x509', '-in', crt, '-noout', '-fingerprint', '-sha256'], {encoding: 'utf8'}).trim().split('=')[1];
  return {key: readFileSync(key), cert: readFileSync(crt), fp};
}

let haveOpenssl = true;
try {
  execFileSync('openssl', ['version'], {stdio: 'ignore'});
} catch {
  haveOpenssl = false;
}

interface FakePcsd {
  server: Server;
  port: number;
  requests: string[];
  /** How to answer: path → [status, body], or a function of the request body. */
  routes: Map<string, [number, string] | ((body: string) => [number, string])>;
}

async function fakePcsd(tls: {key: Buffer; cert: Buffer}): Promise<FakePcsd> {
  const requests: string[] = [];
  const routes: FakePcsd['routes'] = new Map();
  const server = createHttpsServer(tls, (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${req.headers.cookie ?? ''} ${body}`);
      const route = routes.get(req.url ?? '') ?? [404, 'Unknown Request'];
      const [status, text] = typeof route === 'function' ? route(body) : route;
      res.writeHead(status, {'content-type': 'text/html; charset=UTF-8'});
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {server, port: (server.address() as {port: number}).port, requests, routes};
}

const isCode = (code: string) => (e: unknown) => e instanceof PcmkctlError && e.code === code;

describe('pcsd transport on loopback', {skip: haveOpenssl ? false : 'openssl not installed'}, () => {
  let certA: ReturnType<typeof makeCert>;
  let certB: ReturnType<typeof makeCert>;
  let pcsd: FakePcsd;
  const servers: (Server | TcpServer)[] = [];
  const sockets: Socket[] = [];

  before(async () => {
    certA = makeCert('nodeA');
    certB = makeCert('nodeB');
    pcsd = await fakePcsd(certA);
    servers.push(pcsd.server);
    pcsd.routes.set('/remote/auth', [200, '11111111-2222-3333-4444-555555555555']);
    pcsd.routes.set('/remote/check_auth', [200, '{"success":true}']);
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    for (const s of servers) await new Promise((r) => s.close(r));
    rmSync(dir, {recursive: true, force: true});
  });

  test('host auth stores the token in known-hosts and pins the certificate', async () => {
    const res = await hostAuth({hosts: [{name: 'node1', addr: '127.0.0.1', port: pcsd.port, explicitAddr: true}], username: 'hacluster', password: 'p&ss w"rd'}, silentReporter);
    assert.deepEqual(res.authorized, ['node1']);
    const kh = await readKnownHosts(khPath);
    assert.equal(kh.known_hosts.node1.token, '11111111-2222-3333-4444-555555555555');
    assert.deepEqual(kh.known_hosts.node1.dest_list, [{addr: '127.0.0.1', port: pcsd.port}]);
    const pins = await readPins(pinPath);
    assert.equal(pins.pins[`127.0.0.1:${pcsd.port}`].sha256, certA.fp);
    assert.match(pcsd.requests.at(-1)!, /^POST \/remote\/auth  username=hacluster&password=p%26ss\+w%22rd$/);
    const st = (await import('node:fs')).statSync(pinPath);
    assert.equal(st.mode & 0o777, 0o600);
  });

  test('checkAuth sends the token cookie and accepts {"success":true}', async () => {
    const t = new PcsdTransport({reporter: silentReporter});
    await t.checkAuth({name: 'node1'});
    assert.match(pcsd.requests.at(-1)!, /^POST \/remote\/check_auth token=11111111-2222-3333-4444-555555555555 check_auth_only=1$/);
  });

  test('a changed certificate is refused before any HTTP byte; host auth re-pins', async () => {
    pcsd.server.setSecureContext({key: certB.key, cert: certB.cert});
    const before = pcsd.requests.length;
    const t = new PcsdTransport({reporter: silentReporter});
    await assert.rejects(t.checkAuth({name: 'node1'}), (e: unknown) => {
      assert.ok(e instanceof PcmkctlError && e.code === HostErrorCode.certChanged, String(e));
      assert.ok(e.message.includes(certA.fp) && e.message.includes(certB.fp), e.message);
      assert.match(e.reports[0].hint ?? '', /host auth node1/);
      return true;
    });
    assert.equal(pcsd.requests.length, before, 'no request may reach the server');
    const warnings: string[] = [];
    await hostAuth({hosts: [{name: 'node1', addr: '127.0.0.1', port: pcsd.port, explicitAddr: true}], username: 'hacluster', password: 'x'}, {emit: (r) => warnings.push(r.message), debug() {}});
    assert.ok(warnings.some((w) => w.includes(certA.fp) && w.includes(certB.fp)), warnings.join('\n'));
    await new PcsdTransport({reporter: silentReporter}).checkAuth({name: 'node1'});
  });

  test('HTTP statuses map to classified errors', async () => {
    const t = new PcsdTransport({reporter: silentReporter});
    pcsd.routes.set('/remote/check_auth', [401, '{"notauthorized":"true"}']);
    await assert.rejects(t.checkAuth({name: 'node1'}), (e: unknown) => isCode(HostErrorCode.notAuthorized)(e) && /host auth node1/.test((e as PcmkctlError).reports[0].hint!));
    pcsd.routes.set('/remote/check_auth', [403, 'Permission denied']);
    await assert.rejects(t.checkAuth({name: 'node1'}), isCode(HostErrorCode.permissionDenied));
    pcsd.routes.set('/remote/check_auth', [200, '{"success":true}']);
    await assert.rejects(t.checkHost({name: 'node1'}), isCode(HostErrorCode.tooOld));
    await assert.rejects(t.removeAuthkey({name: 'node1'}), isCode(HostErrorCode.unsupported));
    pcsd.routes.set('/remote/put_file', [400, "Invalid input data format: file (key: x): 'type' is missing\n"]);
    await assert.rejects(t.putAuthkey({name: 'node1'}, Buffer.alloc(32), {overwrite: false}), (e: unknown) => isCode(HostErrorCode.commandFailed)(e) && (e as Error).message === "node1: Invalid input data format: file (key: x): 'type' is missing");
    pcsd.routes.set('/remote/put_file', [500, 'boom']);
    await assert.rejects(t.putAuthkey({name: 'node1'}, Buffer.alloc(32), {overwrite: false}), isCode(HostErrorCode.httpError));
  });

  test('strict response validation: garbage is a clear error, valid answers are decoded', async () => {
    const t = new PcsdTransport({reporter: silentReporter});
    for (const body of ['not json', '[]', '{"files":[]}', '{"files":{}}', '{"files":{"pacemaker_remote authkey":{"code":"written"}}}', '{"files":{"pacemaker_remote authkey":{"code":"written","message":""},"x":{}}}']) {
      pcsd.routes.set('/remote/put_file', [200, body]);
      await assert.rejects(t.putAuthkey({name: 'node1'}, Buffer.alloc(32), {overwrite: true}), isCode(HostErrorCode.invalidResponse), body);
    }
    for (const code of ['written', 'rewritten', 'same_content', 'conflict'] as const) {
      pcsd.routes.set('/remote/put_file', [200, JSON.stringify({files: {'pacemaker_remote authkey': {code, message: ''}}})]);
      assert.equal(await t.putAuthkey({name: 'node1'}, Buffer.alloc(32), {overwrite: false}), code);
    }
    pcsd.routes.set('/remote/put_file', [200, '{"files":{"pacemaker_remote authkey":{"code":"unexpected","message":"disk full"}}}']);
    await assert.rejects(t.putAuthkey({name: 'node1'}, Buffer.alloc(32), {overwrite: false}), /disk full/);
    // one request per command: answer each for the command it carries
    const services = (failing: string[]) => (body: string): [number, string] => {
      const key = Object.keys(JSON.parse(new URLSearchParams(body).get('data_json')!))[0];
      return [200, JSON.stringify({actions: {[key]: failing.includes(key) ? {code: 'fail', message: 'Operation failed.'} : {code: 'success', message: ''}}})];
    };
    const before = pcsd.requests.length;
    pcsd.routes.set('/remote/manage_services', services(['pacemaker_remote enable']));
    await assert.rejects(t.manageService({name: 'node1'}, 'start-enable'), /^.*service command failed: pacemaker_remote enable: Operation failed\.$/);
    assert.equal(pcsd.requests.length - before, 2, 'start and enable: a request each');
    pcsd.routes.set('/remote/manage_services', services(['pacemaker_remote stop', 'pacemaker_remote disable']));
    await assert.rejects(t.manageService({name: 'node1'}, 'stop-disable'), /pacemaker_remote stop: Operation failed\.; service command failed: pacemaker_remote disable: Operation failed\./);
    pcsd.routes.set('/remote/manage_services', services([]));
    await t.manageService({name: 'node1'}, 'stop-disable');
    pcsd.routes.set('/remote/manage_services', [200, '{"actions":{"pacemaker_remote start":{"code":"success","message":""},"pacemaker_remote enable":{"code":"success","message":""}}}']);
    await assert.rejects(t.manageService({name: 'node1'}, 'start-enable'), isCode(HostErrorCode.invalidResponse), 'an answer for commands not sent');
    pcsd.routes.set('/remote/check_host', [200, '{"services":{"pacemaker":{"installed":false,"enabled":false,"running":false,"version":"2.1.5"},"pacemaker_remote":{"installed":true,"enabled":false,"running":false,"version":null},"corosync":{"installed":false,"enabled":false,"running":true,"version":"3.1.7"}},"cluster_configuration_exists":false}']);
    assert.deepEqual(await t.checkHost({name: 'node1'}), {pacemakerRemoteInstalled: true, pacemakerRemoteRunning: false, pacemakerRemoteEnabled: false, pacemakerRunning: false, corosyncRunning: true, clusterConfigExists: false});
    pcsd.routes.set('/remote/check_host', [200, '{"services":{"pacemaker":{}},"cluster_configuration_exists":false}']);
    await assert.rejects(t.checkHost({name: 'node1'}), isCode(HostErrorCode.invalidResponse));
  });

  test('host auth: bad password (200 + empty body) → exit 1, known-hosts untouched', async () => {
    const beforeText = readFileSync(khPath, 'utf8');
    pcsd.routes.set('/remote/auth', [200, '']);
    await assert.rejects(
      hostAuth({hosts: [{name: 'node9', addr: '127.0.0.1', port: pcsd.port, explicitAddr: true}], username: 'hacluster', password: 'wrong'}, silentReporter),
      (e: unknown) => e instanceof PcmkctlError && e.exitCode === 1 && e.message === 'node9: Username and/or password is incorrect',
    );
    assert.equal(readFileSync(khPath, 'utf8'), beforeText);
    pcsd.routes.set('/remote/auth', [200, '11111111-2222-3333-4444-555555555555']);
  });

  test('host auth partial success saves the good token and exits 4', async () => {
    const refused = createTcpServer();
    await new Promise<void>((r) => refused.listen(0, '127.0.0.1', r));
    const deadPort = (refused.address() as {port: number}).port;
    await new Promise((r) => refused.close(r));
    await assert.rejects(
      hostAuth({hosts: [{name: 'good', addr: '127.0.0.1', port: pcsd.port, explicitAddr: true}, {name: 'dead', addr: '127.0.0.1', port: deadPort, explicitAddr: true}], username: 'hacluster', password: 'x'}, silentReporter),
      (e: unknown) => e instanceof PcmkctlError && e.exitCode === 4 && e.code === HostErrorCode.refused && e.reports[0].host === 'dead',
    );
    const kh = await readKnownHosts(khPath);
    assert.ok(kh.known_hosts.good);
    assert.equal(kh.known_hosts.dead, undefined);
  });

  test('connection failure classes: unresolvable, refused, silent port, not TLS, garbage HTTP', async () => {
    const t = new PcsdTransport({reporter: silentReporter, requestTimeoutMs: 1500});
    const ep = (addr: string, port: number) => ({name: 'n', addr, port});
    await assert.rejects(t.request(ep('no-such-host.invalid', 2224), 'remote/check_auth', {method: 'POST', body: ''}), isCode(HostErrorCode.unresolved));
    const tmp = createTcpServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    const closedPort = (tmp.address() as {port: number}).port;
    await new Promise((r) => tmp.close(r));
    await assert.rejects(t.request(ep('127.0.0.1', closedPort), 'remote/check_auth', {method: 'POST', body: ''}), isCode(HostErrorCode.refused));
    // Fake: accepts TCP and never answers (a hung or filtered peer).
    const silent = createTcpServer((s) => sockets.push(s));
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const started = Date.now();
    await assert.rejects(t.request(ep('127.0.0.1', (silent.address() as {port: number}).port), 'remote/check_auth', {method: 'POST', body: ''}), isCode(HostErrorCode.connectTimeout));
    assert.ok(Date.now() - started < 5000);
    // Fake: plain-text answer instead of TLS (not pcsd on that port).
    const plain = createTcpServer((s) => {
      sockets.push(s);
      s.end('SSH-2.0-OpenSSH_9.2\r\n');
    });
    servers.push(plain);
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    await assert.rejects(t.request(ep('127.0.0.1', (plain.address() as {port: number}).port), 'remote/check_auth', {method: 'POST', body: ''}), isCode(HostErrorCode.tls));
    // Fake: TLS fine, then bytes that are not HTTP (a fault a real pcsd cannot produce).
    const {createServer: tlsServer} = await import('node:tls');
    const garbage = tlsServer({key: certA.key, cert: certA.cert}, (s) => {
      s.on('data', () => s.end('\u0000\u0001garbage\r\n\r\n'));
      s.on('error', () => {});
    });
    servers.push(garbage);
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    await assert.rejects(t.request(ep('127.0.0.1', (garbage.address() as {port: number}).port), 'remote/check_auth', {method: 'POST', body: ''}), isCode(HostErrorCode.invalidResponse));
    // TLS fine, HTTP headers, then silence: timeout after connect.
    const hung = createHttpsServer({key: certA.key, cert: certA.cert}, () => {});
    servers.push(hung);
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    await assert.rejects(t.request(ep('127.0.0.1', (hung.address() as {port: number}).port), 'remote/check_auth', {method: 'POST', body: ''}), isCode(HostErrorCode.timeout));
    hung.closeAllConnections();
  });

  test('requests side by side before the first pin is saved: the first certificate seen binds the other', async () => {
    // Fake: a proxy that hands its first connection to a pcsd with certificate
    // A and its second to one with B (a man in the middle between two requests)
    const [first, second] = [await fakePcsd(certA), await fakePcsd(certB)];
    for (const f of [first, second]) {
      servers.push(f.server);
      f.routes.set('/remote/auth', [200, '11111111-2222-3333-4444-555555555555']);
      f.routes.set('/remote/check_auth', [200, '{"success":true}']);
    }
    let accepted = 0;
    const proxy = createTcpServer((client) => {
      sockets.push(client);
      const upstream = createConnection({host: '127.0.0.1', port: accepted++ % 2 === 0 ? first.port : second.port});
      sockets.push(upstream);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    servers.push(proxy);
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as {port: number}).port;
    await hostAuth({hosts: [{name: 'node2', addr: '127.0.0.1', port, explicitAddr: true}], username: 'hacluster', password: 'x'}, silentReporter);
    const pins = JSON.parse(readFileSync(pinPath, 'utf8')) as {pins: Record<string, unknown>};
    delete pins.pins[`127.0.0.1:${port}`];
    writeFileSync(pinPath, JSON.stringify(pins));
    accepted = 0;
    const t = new PcsdTransport({reporter: silentReporter});
    const outcomes = await Promise.allSettled([t.checkAuth({name: 'node2'}), t.checkAuth({name: 'node2'})]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, 'one request goes through');
    const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.ok(refused && isCode(HostErrorCode.certChanged)(refused.reason), String(refused?.reason));
    const pinned = (await readPins(pinPath)).pins[`127.0.0.1:${port}`]?.sha256;
    assert.ok(pinned === certA.fp || pinned === certB.fp, `pinned: ${pinned}`);
    assert.ok((refused.reason as Error).message.includes(pinned), 'the refusal names the certificate seen first');
  });

  test('unknown host is HOST_NOT_FOUND (forceable with --skip-offline)', async () => {
    const t = new PcsdTransport({reporter: silentReporter});
    await assert.rejects(t.checkAuth({name: 'Never-Authed'}), (e: unknown) => isCode(HostErrorCode.notFound)(e) && (e as PcmkctlError).reports[0].forceable === 'skip-offline' && (e as Error).message.includes("'Never-Authed'"));
  });
});
