import test from 'ava';
import { invocation } from '../../dist/invocation.js';
import { chmod } from 'node:fs/promises';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { check, doctorMachine, trustInBundleCopy, type DoctorMachine } from '../helpers/doctor-fixture.js';
import { requireTool } from '../helpers/tools.js';

const NSS_STORE = 'trust:nss ~/.pki/nssdb';
const SYSTEM_STORE = 'trust:system (Debian/Ubuntu)';

async function needsNss(t: Parameters<typeof requireTool>[0]): Promise<boolean> {
  return (await requireTool(t, 'certutil', 'apt-get install libnss3-tools')) && (await requireTool(t, 'tstclnt', 'apt-get install libnss3-tools'));
}

/** A TLS server on `port` presenting `certPem` for every name (a devtls already running). */
async function serveCertificate(port: number, certPem: string, keyPem: string): Promise<Server> {
  const server = createServer({ cert: certPem, key: keyPem }, (socket) => socket.end());
  server.on('tlsClientError', () => {});
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  openSockets.set(server, sockets);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

const openSockets = new WeakMap<Server, Set<Socket>>();

/** Stop listening and drop every connection still open (a client may linger half-closed). */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of openSockets.get(server) ?? []) socket.destroy();
  });
}

async function trustEverywhere(machine: DoctorMachine): Promise<void> {
  await trustInBundleCopy(machine);
  await machine.applyFix(`devtls trust --store nss --ca-dir ${machine.caDir}`);
}

test('a CA no store trusts: each store fails its handshake with its own trust command; applied, the same handshakes pass and doctor is ok', async (t) => {
  if (!(await needsNss(t))) return;
  const machine = await doctorMachine(t, { hosts: ['app.localhost', 'api.test', '*.preview.localhost'] });
  const before = await machine.doctor();
  t.false(before.ok);
  const nss = check(before, NSS_STORE);
  t.is(nss.status, 'fail');
  t.regex(nss.message, /handshake through NSS with only this database failed for app\.localhost, api\.test, devtls-doctor\.preview\.localhost: the CA is not trusted \(SEC_ERROR_UNKNOWN_ISSUER\)/);
  t.is(nss.fix, `${invocation()} trust --store nss --ca-dir ${machine.caDir}`);
  const system = check(before, SYSTEM_STORE);
  t.is(system.status, 'fail');
  t.regex(system.message, new RegExp(`with only ${machine.bundle.replace(/[.]/g, '\\.')} as roots failed for .*the CA is not trusted`));
  t.is(system.fix, `${invocation()} trust --store system --ca-dir ${machine.caDir}`);

  await machine.applyFix(nss.fix);
  await trustInBundleCopy(machine); // what `devtls trust --store system` does, on the copy
  const after = await machine.doctor();
  t.is(check(after, NSS_STORE).status, 'ok', check(after, NSS_STORE).message);
  t.regex(check(after, NSS_STORE).message, /TLS handshake verified through NSS with only this database for app\.localhost, api\.test, devtls-doctor\.preview\.localhost/);
  t.is(check(after, SYSTEM_STORE).status, 'ok', check(after, SYSTEM_STORE).message);
  t.regex(check(after, 'served-certificate').message, /valid for (89|90) more days/);
  t.deepEqual(after.checks.filter((entry) => entry.status === 'fail'), []);
  t.true(after.ok);
});

test('a CA key other users can read: ✘ with the chmod that fixes it; applied, ✔ and the stores are checked again', async (t) => {
  if (!(await needsNss(t))) return;
  const machine = await doctorMachine(t, { hosts: ['app.localhost'] });
  await trustEverywhere(machine);
  await chmod(machine.ca.keyPath, 0o644);
  const before = await machine.doctor();
  const permissions = check(before, 'ca.permissions');
  t.is(permissions.status, 'fail');
  t.regex(permissions.message, /the key is 0644: other users can read it/);
  t.is(permissions.fix, `chmod 600 ${machine.ca.keyPath}`);
  t.is(check(before, NSS_STORE).status, 'warn', 'not checked without a CA that loads');
  t.false(before.ok);
  await machine.applyFix(permissions.fix);
  const after = await machine.doctor();
  t.is(check(after, 'ca.permissions').status, 'ok');
  t.is(check(after, NSS_STORE).status, 'ok');
  t.true(after.ok, JSON.stringify(after.checks.filter((entry) => entry.status === 'fail')));
});

test('an expired certificate served by a running devtls: ✘ in the certificate check and in every store, with the restart that fixes it', async (t) => {
  if (!(await needsNss(t))) return;
  const machine = await doctorMachine(t, { hosts: ['app.localhost'] });
  await trustEverywhere(machine);
  const dayMs = 86_400_000;
  const expired = await machine.ca.issueLeafCertificate(['app.localhost'], { validityDays: 5, now: new Date(Date.now() - 20 * dayMs) });
  const server = await serveCertificate(machine.httpsPort, expired.certPem, expired.keyPem);
  let running: Server | undefined = server;
  t.teardown(() => (running === undefined ? undefined : closeServer(running)));
  const before = await machine.doctor({ runningPort: machine.httpsPort });
  const served = check(before, 'served-certificate');
  t.is(served.status, 'fail');
  t.regex(served.message, new RegExp(`the devtls on 127\\.0\\.0\\.1:${machine.httpsPort}: app\\.localhost expired on \\d{4}-\\d\\d-\\d\\d`));
  t.true(served.fix.startsWith(`restart ${invocation()} up: `), served.fix);
  for (const id of [NSS_STORE, SYSTEM_STORE]) {
    t.is(check(before, id).status, 'fail', id);
    t.regex(check(before, id).message, /the served certificate has expired \((SEC_ERROR_EXPIRED_CERTIFICATE|CERT_HAS_EXPIRED)\)/);
    t.is(check(before, id).fix, served.fix, 'the fix is the certificate, not the store');
  }
  // Applied: devtls restarts and serves a fresh certificate on the same port.
  await closeServer(server);
  const fresh = await machine.ca.issueLeafCertificate(['app.localhost']);
  running = await serveCertificate(machine.httpsPort, fresh.certPem, fresh.keyPem);
  const after = await machine.doctor({ runningPort: machine.httpsPort });
  for (const id of ['served-certificate', NSS_STORE, SYSTEM_STORE]) t.is(check(after, id).status, 'ok', `${id}: ${check(after, id).message}`);
});

test('devtls already on the config\'s HTTPS port: the port is ✔ as its own and the handshakes go to it; another program on the HTTP port gets the fixes devtls up gives', async (t) => {
  if (!(await needsNss(t))) return;
  const machine = await doctorMachine(t, { hosts: ['app.localhost'] });
  await trustEverywhere(machine);
  const leaf = await machine.ca.issueLeafCertificate(['app.localhost']);
  const devtls = await serveCertificate(machine.httpsPort, leaf.certPem, leaf.keyPem);
  t.teardown(() => closeServer(devtls));
  const squatter = createTcpServer((socket) => socket.destroy()); // another program, not speaking TLS
  await new Promise<void>((resolve) => squatter.listen(machine.httpPort, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
  const report = await machine.doctor();
  t.is(check(report, `port:${machine.httpsPort}`).status, 'ok');
  t.regex(check(report, `port:${machine.httpsPort}`).message, /bound by the running devtls/);
  t.regex(check(report, 'served-certificate').message, new RegExp(`the devtls on 127\\.0\\.0\\.1:${machine.httpsPort}`));
  const busy = check(report, `port:${machine.httpPort}`);
  t.is(busy.status, 'warn');
  t.regex(busy.message, /already in use by another program/);
  t.regex(busy.fix, /Stop that program \(find it with: .*\), or choose another port: .*up --http-port \d+/);
});

test('without tstclnt, NSS still verifies: vfychain on the served chain with only the database, and the host name checked', async (t) => {
  if (!(await needsNss(t)) || !(await requireTool(t, 'vfychain', 'apt-get install libnss3-tools'))) return;
  const machine = await doctorMachine(t, { hosts: ['app.localhost'] });
  const real = machine.trustEnv.runner;
  const runner = { has: real.has, run: async (argv: readonly string[]) => (argv[0] === 'tstclnt' ? { code: 127, stdout: '', stderr: 'not found' } : real.run(argv)) };
  const trustEnv = { ...machine.trustEnv, runner };
  const before = await machine.doctor({ trustEnv });
  t.is(check(before, NSS_STORE).status, 'fail');
  t.regex(check(before, NSS_STORE).message, /the CA is not trusted \(SEC_ERROR_UNKNOWN_ISSUER\)/);
  await machine.applyFix(check(before, NSS_STORE).fix);
  t.is(check(await machine.doctor({ trustEnv }), NSS_STORE).status, 'ok');
});
