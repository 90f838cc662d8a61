import test from 'ava';
import { isIP } from 'node:net';
import { ipVersion } from '../dist/ip-version.js';

test('ipVersion answers like net.isIP', (t) => {
  for (const text of ['127.0.0.1', '::1', '::ffff:127.0.0.1', 'fe80::1%eth0', '[::1]', 'app.localhost', 'localhost', '1.2.3', '1.2.3.4.5', '256.1.1.1', '', ':', 'a:b', '2001:db8::', '::', '0.0.0.0', 'localhost:8080']) {
    t.is(ipVersion(text) as number, isIP(text), text);
  }
});
