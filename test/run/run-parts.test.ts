import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkedName, deriveName, toDnsLabel } from '../../dist/run/app-name.js';
import { childEnvironment } from '../../dist/run/child-env.js';
import { ephemeralRangeStart, pickFreePort } from '../../dist/run/free-port.js';
import { splitRunArgv } from '../../dist/cli/run-command.js';
import { isUserError } from '../../dist/errors.js';
import { tempDirFor } from '../helpers/temp-dir.js';
import { createServer } from 'node:net';

test('package names become DNS labels: scope dropped, lower case, runs of other characters one hyphen', (t) => {
  t.is(toDnsLabel('@acme/Shop_Web'), 'shop-web');
  t.is(toDnsLabel('my.app'), 'my-app');
  t.is(toDnsLabel('--x--'), 'x');
  t.is(toDnsLabel('a'.repeat(80)).length, 63);
  t.is(toDnsLabel('@scope/'), '');
});

test('NAME: the nearest package.json name, else the folder name', async (t) => {
  const root = await tempDirFor(t);
  const app = join(root, 'My_Folder');
  await mkdir(join(app, 'src', 'deep'), { recursive: true });
  t.is(deriveName(app), 'my-folder');
  t.is(deriveName(join(app, 'src', 'deep')), 'deep');
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: '@acme/Shop_Web' }));
  t.is(deriveName(join(app, 'src', 'deep')), 'shop-web');
  await writeFile(join(app, 'src', 'package.json'), '{ not json');
  t.is(deriveName(join(app, 'src', 'deep')), 'shop-web', 'a broken package.json is passed over');
});

test('--name: labels pass, .localhost is dropped, anything else is one line with a suggestion', (t) => {
  t.is(checkedName('shop'), 'shop');
  t.is(checkedName('api.shop'), 'api.shop');
  t.is(checkedName('Shop.localhost'), 'shop');
  const error = t.throws(() => checkedName('Shop_Web'));
  t.true(isUserError(error));
  t.is(error?.message, '--name "Shop_Web" is not a valid host name: use letters, digits and hyphens (it becomes NAME.localhost).');
  t.is((error as { hint?: string }).hint, 'For example: --name shop-web');
  t.throws(() => checkedName('-x'));
  t.throws(() => checkedName(''));
});

test('devtls options end at -- or at the first word that is not one of them; COMMAND keeps its own flags', (t) => {
  t.deepEqual(splitRunArgv(['run', '--name', 'x', '--', 'vite', '--port', '3']), { devtls: ['run', '--name', 'x'], command: ['vite', '--port', '3'] });
  t.deepEqual(splitRunArgv(['run', '--https-port', '8443', 'npm', 'run', 'dev', '--', '--open']), { devtls: ['run', '--https-port', '8443'], command: ['npm', 'run', 'dev', '--', '--open'] });
  t.deepEqual(splitRunArgv(['run']), { devtls: ['run'], command: [] });
  t.deepEqual(splitRunArgv(['up', '--https-port', '1']), { devtls: ['up', '--https-port', '1'], command: [] });
});

test('the child environment: PORT, HOST, DEVTLS_URL, the CA; an existing NODE_EXTRA_CA_CERTS is bundled, never replaced', async (t) => {
  const root = await tempDirFor(t);
  const ours = join(root, 'rootCA.pem');
  const theirs = join(root, 'corporate.pem');
  await writeFile(ours, 'OURS\n');
  await writeFile(theirs, 'THEIRS\n');
  const input = { port: 4000, url: 'https://a.localhost', host: 'a.localhost', caCertFile: ours, bundleFile: join(root, 'bundle.pem'), extra: { X: '1' } };
  const plain = await childEnvironment({ PATH: '/bin' }, input);
  t.like(plain.env, { PATH: '/bin', PORT: '4000', HOST: '127.0.0.1', DEVTLS_URL: 'https://a.localhost', NODE_EXTRA_CA_CERTS: ours, X: '1' });
  const bundled = await childEnvironment({ NODE_EXTRA_CA_CERTS: theirs }, input);
  t.is(bundled.env['NODE_EXTRA_CA_CERTS'], input.bundleFile);
  t.is(await readFile(input.bundleFile, 'utf8'), 'THEIRS\nOURS\n');
  t.is(await readFile(theirs, 'utf8'), 'THEIRS\n', 'their file is untouched');
  const unreadable = await childEnvironment({ NODE_EXTRA_CA_CERTS: join(root, 'missing.pem') }, input);
  t.is(unreadable.env['NODE_EXTRA_CA_CERTS'], join(root, 'missing.pem'), 'kept as it was');
  t.regex(unreadable.warning ?? '', /is kept as it is; the devtls CA could not be added/);
});

test('a free port is free on 127.0.0.1 and ::1 alike, and below the ephemeral range (which other programs get from the kernel)', async (t) => {
  const port = await pickFreePort();
  const range = ephemeralRangeStart();
  if (range - 10_000 >= 1_000) t.true(port >= 10_000 && port < range, `${port} in [10000, ${range})`);
  t.is(ephemeralRangeStart(() => '32768\t60999\n'), 32768);
  t.is(ephemeralRangeStart(() => 'garbage'), 49152);
  t.is(ephemeralRangeStart(() => {
    throw new Error('no /proc');
  }), 49152);
  for (const host of ['127.0.0.1', '::1']) {
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT'));
      server.listen(port, host, () => resolve(true));
    });
    t.true(bound, `${host}:${port}`);
    await new Promise((resolve) => server.close(resolve));
  }
});
