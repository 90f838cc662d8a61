import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { startBackend, type TestBackend } from '../helpers/backends.js';
import { startTestDevtls, type TestDevtls } from '../helpers/devtls-instance.js';

// A browser that reconnects resumes its TLS 1.3 session with the ticket devtls gave it: no
// certificate or signature again. The ticket keys are random for each running devtls (kept
// in memory by Node's TLS server, never written anywhere), so another devtls refuses them.

const run = promisify(execFile);
let app: TestBackend;
let devtls: TestDevtls;
let other: TestDevtls;
let caFile: string;

test.before(async () => {
  app = await startBackend('app');
  devtls = await startTestDevtls({ routes: [{ host: 'app.localhost', target: app.port }] });
  other = await startTestDevtls({ routes: [{ host: 'app.localhost', target: app.port }] }, { caDir: devtls.caDir });
  caFile = join(devtls.dir, 'ca-copy.pem');
  await writeFile(caFile, devtls.ca.certPem);
});

test.after.always(async () => {
  await other?.stop();
  await devtls?.stop();
  await app?.close();
});

interface Visit {
  reused: boolean;
  status: number;
  /** The session to resume next time (a TLS 1.3 ticket). */
  session: Buffer | undefined;
}

/** One GET on a new connection, verifying devtls's certificate; resumes `session` when given. */
function visit(port: number, session?: Buffer): Promise<Visit> {
  return new Promise((resolve, reject) => {
    let ticket: Buffer | undefined;
    let reused = false;
    let head = '';
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'app.localhost', ca: devtls.ca.certPem, ALPNProtocols: ['http/1.1'], ...(session === undefined ? {} : { session }) });
    socket.on('session', (value: Buffer) => (ticket = value));
    socket.once('secureConnect', () => {
      reused = socket.isSessionReused();
      socket.write('GET /again HTTP/1.1\r\nHost: app.localhost\r\nConnection: close\r\n\r\n');
    });
    socket.on('data', (chunk: Buffer) => (head += chunk.toString('latin1')));
    socket.once('error', reject);
    socket.once('close', () => resolve({ reused, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), session: ticket }));
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
  });
}

test('a client that reconnects with its ticket resumes the session, and its request is served', async (t) => {
  const first = await visit(devtls.httpsPort);
  t.false(first.reused);
  t.is(first.status, 200);
  t.truthy(first.session, 'devtls sends a session ticket');
  const second = await visit(devtls.httpsPort, first.session);
  t.true(second.reused, 'resumed: no full handshake');
  t.is(second.status, 200);
  const third = await visit(devtls.httpsPort, second.session ?? first.session);
  t.true(third.reused, 'the ticket of a resumed session resumes too');
});

test('openssl s_client resumes with -sess_out / -sess_in (a real client, TLS 1.3)', async (t) => {
  const session = join(devtls.dir, 'openssl-session.pem');
  const sClient = async (extra: string): Promise<string> => {
    const command = `printf 'GET / HTTP/1.1\\r\\nHost: app.localhost\\r\\nConnection: close\\r\\n\\r\\n' | openssl s_client -connect 127.0.0.1:${devtls.httpsPort} -servername app.localhost -verify_hostname app.localhost -CAfile ${caFile} -tls1_3 -ign_eof ${extra} 2>&1`;
    const { stdout } = await run('sh', ['-c', command], { timeout: 10_000 });
    return stdout;
  };
  const first = await sClient(`-sess_out ${session}`);
  t.regex(first, /^New, TLSv1\.3/m);
  t.regex(first, /Verify return code: 0 \(ok\)/);
  t.regex(first, /HTTP\/1\.1 200/);
  const second = await sClient(`-sess_in ${session}`);
  t.regex(second, /^Reused, TLSv1\.3/m, 'the saved session is resumed');
  t.regex(second, /HTTP\/1\.1 200/);
});

test('a ticket from another running devtls is not accepted: a full handshake follows, and the request is served', async (t) => {
  const elsewhere = await visit(other.httpsPort);
  t.truthy(elsewhere.session);
  const here = await visit(devtls.httpsPort, elsewhere.session);
  t.false(here.reused, 'each devtls has its own random ticket keys');
  t.is(here.status, 200);
});
