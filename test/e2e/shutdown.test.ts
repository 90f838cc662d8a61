import test from 'ava';
import { request } from 'node:https';
import { startBackend } from '../helpers/backends.js';
import { startTestDevtls } from '../helpers/devtls-instance.js';

test('stopping devtls with an open server-sent event stream ends it without a 502 warning', async (t) => {
  const events = await startBackend('events', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: hello\n\n'); // and never ends
  });
  t.teardown(() => events.close());
  const devtls = await startTestDevtls({ routes: [{ host: 'events.localhost', target: events.port }] });
  const firstEvent = new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: devtls.httpsPort, servername: 'events.localhost', headers: { host: `events.localhost:${devtls.httpsPort}` }, ca: devtls.ca.certPem }, (res) => {
      res.once('data', () => resolve());
      res.on('error', () => undefined);
    });
    req.on('error', reject);
    req.end();
  });
  await firstEvent;
  await devtls.stop();
  t.deepEqual(
    devtls.logger.lines.filter((line) => /502|Is your dev server running/.test(line)),
    [],
    'devtls cutting its own streams at shutdown is not reported as a dev-server failure',
  );
});
