// The HTTP/2 server's streams reach `onStream` before Node's compatibility layer, and those it
// leaves still reach `onRequest` (src/proxy/tls-server.ts). Should a Node version set its
// listeners up otherwise, devtls falls back to the compatibility layer silently: this test is
// what notices.
import test from 'ava';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import { DEFAULT_CONNECTION_LIMITS } from '../../dist/proxy/connection-limits.js';
import { createTlsServer } from '../../dist/proxy/tls-server.js';
import { http2Request, http2Session } from '../helpers/http2-client.js';
import { tempDirFor } from '../helpers/temp-dir.js';

test('a stream onStream takes is answered there; one it leaves goes to onRequest', async (t) => {
  const { ca } = await CertificateAuthority.open({ dir: join(await tempDirFor(t), 'ca') });
  const leaf = await ca.issueLeafCertificate(['app.localhost']);
  const seen: string[] = [];
  const server = createTlsServer({
    http2: true,
    defaultCertificate: leaf,
    sniCallback: (_name, callback) => callback(null),
    onStream: (stream, headers) => {
      seen.push(`stream ${String(headers[':path'])}`);
      if (headers[':path'] !== '/direct') return false;
      stream.respond({ ':status': 200 });
      stream.end('direct');
      return true;
    },
    onRequest: (req, res) => {
      seen.push(`request ${req.url ?? ''}`);
      res.writeHead(200);
      res.end('compatibility');
    },
    onUpgrade: () => undefined,
    onConnect: () => undefined,
    limits: DEFAULT_CONNECTION_LIMITS,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const session = await http2Session((server.address() as AddressInfo).port, 'app.localhost', ca.certPem);
  t.teardown(() => session.destroy());
  t.is((await http2Request(session, { ':path': '/direct' })).body.toString(), 'direct');
  t.is((await http2Request(session, { ':path': '/other' })).body.toString(), 'compatibility');
  t.deepEqual(seen, ['stream /direct', 'stream /other', 'request /other']);
});
