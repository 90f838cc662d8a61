import test from 'ava';
import { instanceArgs, readInstanceArgs, type StartSettings } from '../../dist/instance/instance-args.js';
import { instanceEnvironment } from '../../dist/instance/start-instance.js';

const settings: StartSettings[] = [
  { httpsPort: 443, httpPort: 80, caDir: '/home/ada/.local/share/devtls', http2: true },
  { httpsPort: 0, httpPort: false, caDir: '/tmp/ca dir', http2: false },
  { httpsPort: 8443, httpPort: 8080, caDir: '/ca', certsDir: '/certs', hosts: ['127.0.0.1', '::1', '0.0.0.0'], http2: true },
];

test('the background instance reads back exactly the settings up wrote', (t) => {
  for (const written of settings) t.deepEqual(readInstanceArgs(instanceArgs(written)), written);
});

test('the words are `devtls serve --exit-when-idle` with the flags serve documents', (t) => {
  t.deepEqual(instanceArgs(settings[2] as StartSettings), [
    'serve', '--exit-when-idle', '--https-port', '8443', '--http-port', '8080', '--ca-dir', '/ca', '--certs-dir', '/certs',
    '--host', '127.0.0.1', '--host', '::1', '--host', '0.0.0.0',
  ]);
  t.deepEqual(instanceArgs(settings[1] as StartSettings).slice(-3), ['--ca-dir', '/tmp/ca dir', '--no-http2']);
});

test('any other command line is left to the full parser', (t) => {
  const base = ['serve', '--exit-when-idle', '--https-port', '443', '--http-port', '80', '--ca-dir', '/ca'];
  t.truthy(readInstanceArgs(base));
  for (const argv of [
    [],
    ['serve'],
    ['up', ...base.slice(1)],
    ['serve', '--https-port', '443', '--http-port', '80', '--ca-dir', '/ca'],
    [...base, '--verbose'],
    [...base, '--host'],
    [...base, '--host', '--no-http2'],
    [...base, '--no-http2', '--host', '::1'],
    [...base, '--help'],
    ['serve', '--exit-when-idle', '--https-port', '70000', '--http-port', '80', '--ca-dir', '/ca'],
    ['serve', '--exit-when-idle', '--https-port', '0x1bb', '--http-port', '80', '--ca-dir', '/ca'],
    ['serve', '--exit-when-idle', '--https-port', '', '--http-port', '80', '--ca-dir', '/ca'],
    ['serve', '--exit-when-idle', '--https-port', '443', '--http-port', '80', '--ca-dir', '--certs-dir'],
    ['serve', '--exit-when-idle', '--https-port=443', '--http-port', '80', '--ca-dir', '/ca'],
  ]) {
    t.is(readInstanceArgs(argv), undefined, argv.join(' '));
  }
});

test('the background instance gets our environment and its state folder, without NODE_EXTRA_CA_CERTS (it verifies no certificate)', (t) => {
  const env = instanceEnvironment({ PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', DEVTLS_STATE_DIR: '/elsewhere' }, '/state');
  t.deepEqual(env, { PATH: '/usr/bin', DEVTLS_STATE_DIR: '/state' });
});
