import test from 'ava';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { parseConfig } from '../../dist/config/parse-config.js';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import { LeafCertificateStore } from '../../dist/pki/leaf-store.js';
import { DevProxy } from '../../dist/proxy/dev-proxy.js';
import { startBackend } from '../helpers/backends.js';
import { httpsRequest } from '../helpers/https-client.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const DAY = 24 * 60 * 60 * 1000;

function peerCertificate(port: number, servername: string, ca: string): Promise<{ certificate: PeerCertificate; error: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false }, () => {
      const certificate = socket.getPeerCertificate();
      const error = socket.authorized ? undefined : String(socket.authorizationError);
      socket.end();
      resolve({ certificate, error });
    });
    socket.on('error', reject);
  });
}

test('a certificate that expired while the laptop slept is renewed at the next handshake', async (t) => {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  const backend = await startBackend('app');
  t.teardown(() => backend.close());
  const { ca } = await CertificateAuthority.open({ dir: join(temp.dir, 'ca') });
  // The store's clock starts two days in the past, so the first certificate (valid one day)
  // is already expired in real time: as if the laptop had slept since it was issued.
  let clock = Date.now() - 2 * DAY;
  const store = new LeafCertificateStore(ca, join(temp.dir, 'certs'), { validityDays: 1, renewBeforeDays: 0, now: () => new Date(clock) });
  const { config } = parseConfig(JSON.stringify({ routes: [{ host: 'app.localhost', target: backend.port }] }), 'proxy.config.json');
  const proxy = new DevProxy({ routes: config.routes, certificates: store, httpsPort: 0, httpPort: false, hosts: ['127.0.0.1'] });
  await proxy.start();
  t.teardown(() => proxy.close());

  const before = await peerCertificate(proxy.httpsPort, 'app.localhost', ca.certPem);
  t.is(before.error, 'CERT_HAS_EXPIRED', 'the stale certificate is what a sleeping laptop would serve');

  clock = Date.now(); // the laptop wakes up
  const after = await peerCertificate(proxy.httpsPort, 'app.localhost', ca.certPem);
  t.is(after.error, undefined);
  t.not(after.certificate.serialNumber, before.certificate.serialNumber);
  const res = await httpsRequest({ port: proxy.httpsPort, host: 'app.localhost', ca: ca.certPem });
  t.is(res.status, 200);
});
