import test from 'ava';
import { invocation } from '../../dist/invocation.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { spawn } from 'node:child_process';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import { pemFingerprints } from '../../dist/trust/trusted-ca.js';
import { BLOCK_BEGIN } from '../../dist/hosts/hosts-file.js';
import { check, doctorMachine, fileText } from '../helpers/doctor-fixture.js';
import { requireTool } from '../helpers/tools.js';

test('a .test name absent from the hosts file: ✘ with devtls hosts --write; applied, ✔; --remove gives the file back byte for byte', async (t) => {
  if (!(await requireTool(t, 'certutil', 'apt-get install libnss3-tools'))) return;
  const original = '127.0.0.1\tlocalhost\n# keep me\n10.0.0.7 nas.home.arpa\n';
  const machine = await doctorMachine(t, { hosts: ['app.localhost', 'shop.test'], hostsText: `${original}127.0.0.1 app.localhost\n` });
  const withApp = await fileText(machine.hostsFile);
  const before = await machine.doctor();
  const name = check(before, 'name:shop.test');
  t.is(name.status, 'fail');
  t.is(name.message, 'shop.test: the system resolver (Node, Python, Java, wget) does not resolve it');
  t.is(name.fix, `${invocation()} hosts --write --config ${machine.configFile} --hosts-file ${machine.hostsFile}`);
  t.is(check(before, 'name:app.localhost').status, 'ok');
  t.false(before.ok);

  const printed = await machine.applyFix(`devtls hosts --config ${machine.configFile} --hosts-file ${machine.hostsFile}`);
  t.is(printed, '127.0.0.1 shop.test\n::1 shop.test\n', 'only the name that needs it');
  const written = await machine.applyFix(name.fix);
  t.regex(written, /Added shop\.test to .*hosts \(between "# devtls begin" and "# devtls end"\)/);
  t.is(await fileText(machine.hostsFile), `${withApp}${BLOCK_BEGIN}\n127.0.0.1 shop.test\n::1 shop.test\n# devtls end\n`);
  const after = await machine.doctor();
  t.is(check(after, 'name:shop.test').status, 'ok');
  t.regex(check(after, 'name:shop.test').message, /shop\.test resolves to 127\.0\.0\.1, ::1 for every program/);
  t.regex(await machine.applyFix(name.fix), /already has every line needed/);

  await machine.applyFix(`devtls hosts --remove --hosts-file ${machine.hostsFile}`);
  t.is(await fileText(machine.hostsFile), withApp);
  t.regex(await machine.applyFix(`devtls hosts --remove --hosts-file ${machine.hostsFile}`), /has no devtls block/);
});

test('HTTPS_PROXY without a NO_PROXY for the routed names: ✘ with the NO_PROXY value (existing entries kept); applied, ✔', async (t) => {
  if (!(await requireTool(t, 'certutil', 'apt-get install libnss3-tools'))) return;
  const machine = await doctorMachine(t, { hosts: ['app.localhost', 'shop.test', '*.preview.test'] });
  const env = { HTTPS_PROXY: 'http://127.0.0.1:3128', no_proxy: 'corp.example' };
  const before = await machine.doctor({ env });
  const proxy = check(before, 'proxy');
  t.is(proxy.status, 'fail');
  t.is(proxy.message, 'HTTPS_PROXY set without a NO_PROXY covering app.localhost, shop.test, *.preview.test, localhost, 127.0.0.1: clients send devtls traffic to the proxy');
  const value = 'corp.example,localhost,.localhost,127.0.0.1,::1,shop.test,.preview.test';
  t.is(proxy.fix, `export NO_PROXY='${value}' no_proxy='${value}'`);
  const applied = await machine.applyFix(`${proxy.fix}\nprintf '%s\\n%s' "$NO_PROXY" "$no_proxy"`, env);
  const [noProxy, lower] = applied.split('\n');
  t.is(noProxy, value);
  const after = await machine.doctor({ env: { ...env, NO_PROXY: noProxy ?? '', no_proxy: lower ?? '' } });
  t.is(check(after, 'proxy').status, 'ok');
  t.is((await machine.doctor({ env: {} })).checks.find((entry) => entry.id === 'proxy')?.status, 'ok', 'no proxy set: nothing to cover');
});

/** A one-shot TLS server presenting `leaf`, and a real Node.js client started with `env`. */
async function nodeClientReaches(leaf: { certPem: string; keyPem: string }, env: NodeJS.ProcessEnv): Promise<string> {
  const server: Server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'));
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => sockets.add(socket));
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const script = `require('https').get({ host: '127.0.0.1', port: ${port}, servername: 'app.localhost', headers: { host: 'app.localhost' }, checkServerIdentity: (h, c) => require('tls').checkServerIdentity('app.localhost', c) }, (r) => { console.log(r.statusCode); r.resume(); }).on('error', (e) => console.log(e.code))`;
  try {
    return await new Promise((resolve) => {
      const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += String(chunk)));
      child.on('close', () => resolve(out.trim()));
    });
  } finally {
    server.close();
    for (const socket of sockets) socket.destroy();
  }
}

test('NODE_EXTRA_CA_CERTS naming a corporate CA without the devtls CA: ✘ with devtls env; applied, ✔ and Node trusts both CAs', async (t) => {
  if (!(await requireTool(t, 'certutil', 'apt-get install libnss3-tools'))) return;
  const machine = await doctorMachine(t, { hosts: ['app.localhost'] });
  const corporate = (await CertificateAuthority.open({ dir: join(machine.dir, 'corporate-ca') })).ca;
  const corporateFile = join(machine.dir, 'corporate.pem');
  await writeFile(corporateFile, corporate.certPem);
  const env = { NODE_EXTRA_CA_CERTS: corporateFile, SSL_CERT_FILE: corporateFile, REQUESTS_CA_BUNDLE: '', DENO_CERT: '', CURL_CA_BUNDLE: '', GIT_SSL_CAINFO: '' };
  const before = await machine.doctor({ env });
  const node = check(before, 'runtime:NODE_EXTRA_CA_CERTS');
  t.is(node.status, 'fail');
  t.is(node.message, `NODE_EXTRA_CA_CERTS=${corporateFile} does not include the devtls CA: clients that read it reject devtls's certificates`);
  t.is(node.fix, `eval "$(${invocation()} env --ca-dir ${machine.caDir} --config ${machine.configFile})"`);
  t.is(check(before, 'runtime:SSL_CERT_FILE').status, 'fail');
  t.is(check(before, 'runtime:REQUESTS_CA_BUNDLE').status, 'warn');
  const devtlsLeaf = await machine.ca.issueLeafCertificate(['app.localhost']);
  t.not(await nodeClientReaches(devtlsLeaf, { NODE_EXTRA_CA_CERTS: corporateFile }), '204', 'a real client fails as doctor says');

  const applied = await machine.applyFix(`${node.fix}\nprintf '%s\\n%s\\n%s\\n%s' "$NODE_EXTRA_CA_CERTS" "$SSL_CERT_FILE" "$REQUESTS_CA_BUNDLE" "$NO_PROXY"`, env);
  const [nodeFile = '', sslFile = '', requestsFile = '', noProxy] = applied.split('\n');
  t.not(nodeFile, corporateFile);
  t.is(noProxy, 'localhost,.localhost,127.0.0.1,::1');
  for (const file of [nodeFile, sslFile]) {
    const prints = pemFingerprints(await fileText(file));
    const corporatePrint = pemFingerprints(corporate.certPem)[0];
    const devtlsPrint = pemFingerprints(machine.ca.certPem)[0];
    t.true(corporatePrint !== undefined && prints.includes(corporatePrint), `${file} keeps the corporate CA`);
    t.true(devtlsPrint !== undefined && prints.includes(devtlsPrint), `${file} adds the devtls CA`);
  }
  t.true(pemFingerprints(await fileText(sslFile)).length > 2, 'the replacing bundle also keeps the system roots');
  const after = await machine.doctor({ env: { ...env, NODE_EXTRA_CA_CERTS: nodeFile, SSL_CERT_FILE: sslFile, REQUESTS_CA_BUNDLE: requestsFile } });
  for (const id of ['runtime:NODE_EXTRA_CA_CERTS', 'runtime:SSL_CERT_FILE', 'runtime:REQUESTS_CA_BUNDLE']) t.is(check(after, id).status, 'ok', id);
  t.is(await nodeClientReaches(devtlsLeaf, { NODE_EXTRA_CA_CERTS: nodeFile }), '204', 'Node now trusts devtls');
  const corporateLeaf = await corporate.issueLeafCertificate(['app.localhost']);
  t.is(await nodeClientReaches(corporateLeaf, { NODE_EXTRA_CA_CERTS: nodeFile }), '204', 'and still trusts the corporate CA');
});

test('a missing config: ✘ naming the file and the fix; the CA and environment are still checked', async (t) => {
  if (!(await requireTool(t, 'certutil', 'apt-get install libnss3-tools'))) return;
  const machine = await doctorMachine(t, { hosts: ['app.localhost'] });
  const report = await machine.doctor({ configFile: join(machine.dir, 'nowhere', 'proxy.config.json') });
  const config = check(report, 'config');
  t.is(config.status, 'fail');
  t.regex(config.message, /no proxy\.config\.json in .*nowhere/);
  t.regex(config.fix, /the folder .*nowhere does not exist/, 'the folder itself is missing: that is the fix to name');
  t.is(check(report, 'ca.validity').status, 'ok');
  t.is(check(report, 'proxy').status, 'ok');
});
