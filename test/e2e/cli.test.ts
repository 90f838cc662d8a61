import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBackend } from '../helpers/backends.js';
import { CLI_PATH, runDevtls, startDevtlsProcess } from '../helpers/cli-process.js';
import { httpsRequest } from '../helpers/https-client.js';
import { exitOf } from '../helpers/instance.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

async function projectDir(t: import('ava').ExecutionContext, routes: unknown = [{ host: 'app.localhost', target: 8080 }]) {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  await writeFile(join(temp.dir, 'proxy.config.json'), typeof routes === 'string' ? routes : JSON.stringify({ routes }, null, 2));
  return { dir: temp.dir, env: { DEVTLS_CA_DIR: join(temp.dir, 'ca') } };
}

test('devtls up serves, prints each route and the trust state, and stops cleanly on Ctrl-C', async (t) => {
  const backend = await startBackend('app');
  t.teardown(() => backend.close());
  const { dir, env } = await projectDir(t, [{ host: 'app.localhost', target: backend.port }]);
  const { child, output, match } = await startDevtlsProcess(
    ['up', '--https-port', '0', '--http-port', '0', '--host', '127.0.0.1'],
    /Listening on 127\.0\.0\.1:(\d+)[^]*Press Ctrl-C/,
    { cwd: dir, env },
  );
  t.teardown(() => child.kill('SIGKILL'));
  const port = Number(match[1]);
  t.regex(output(), new RegExp(`https://app\\.localhost:${port} → http://127\\.0\\.0\\.1:${backend.port}`));
  t.regex(output(), /Created a local certificate authority/);
  t.regex(output(), /CA (is not trusted yet|trusted by this system)/);
  const ca = await readFile(join(dir, 'ca', 'rootCA.pem'), 'utf8');
  const res = await httpsRequest({ port, host: 'app.localhost', ca });
  t.is(res.status, 200);
  child.kill('SIGINT');
  const code = await exitOf(child);
  t.is(code, 0);
  t.regex(output(), /Stopping devtls/);
});

test('the banner lists only the addresses devtls really listens on', async (t) => {
  const { dir, env } = await projectDir(t);
  // 192.0.2.1 (TEST-NET-1) is on no interface here: binding it fails and it is skipped.
  const { child, output, match } = await startDevtlsProcess(
    ['up', '--https-port', '0', '--http-port', '0', '--host', '127.0.0.1', '--host', '192.0.2.1'],
    /Listening on ([^(]*) \(/,
    { cwd: dir, env },
  );
  t.teardown(() => child.kill('SIGKILL'));
  t.regex(match[1] ?? '', /^127\.0\.0\.1:\d+$/);
  t.notRegex(output(), /192\.0\.2\.1:/);
  child.kill('SIGINT');
  await exitOf(child);
});

test('a broken config stops devtls with file:line:col and no stack trace', async (t) => {
  const { dir, env } = await projectDir(t, '{\n  "routes": [\n    { "host": "app.localhost", "target": "abc" }\n  ]\n}\n');
  const result = await runDevtls(['up', '--https-port', '0', '--http-port', '0'], { cwd: dir, env });
  t.is(result.code, 1);
  t.regex(result.stderr, /proxy\.config\.json:3:\d+: /);
  t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
});

test('a missing config says how to make one', async (t) => {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  await mkdir(join(temp.dir, '.git')); // the search for proxy.config.json stops at a repository root
  const result = await runDevtls(['up'], { cwd: temp.dir, env: { DEVTLS_CA_DIR: join(temp.dir, 'ca') } });
  t.is(result.code, 1);
  t.true(result.stderr.includes(`run \`node ${CLI_PATH} init\``), result.stderr);
});

test('a busy port is named, with how to choose another', async (t) => {
  const { dir, env } = await projectDir(t);
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as import('node:net').AddressInfo).port;
  const result = await runDevtls(['up', '--https-port', String(port), '--http-port', '0', '--host', '127.0.0.1'], { cwd: dir, env });
  t.is(result.code, 1);
  t.regex(result.stderr, new RegExp(`Port ${port} \\(HTTPS, 127\\.0\\.0\\.1:${port}\\) is already in use`));
  t.regex(result.stderr, /--https-port/);
  t.notRegex(result.stderr, /\n\s+at /);
});

test('port 443 refused (no right to bind low ports): one message with the fixes for this OS', async (t) => {
  const unprivilegedStart = Number((await readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').catch(() => '1024')).trim());
  if (unprivilegedStart <= 443) {
    t.log(`SKIPPED: this machine lets anyone bind port 443 (ip_unprivileged_port_start=${unprivilegedStart}), so EACCES cannot happen here`);
    t.pass();
    return;
  }
  const { dir, env } = await projectDir(t);
  // As root, drop only the right to bind low ports (root keeps reading the checkout wherever it is).
  const wrapper = process.getuid?.() === 0 ? ['setpriv', '--bounding-set', '-net_bind_service', '--inh-caps', '-net_bind_service', '--'] : undefined;
  const result = await runDevtls(['up', '--https-port', '443', '--http-port', '0', '--host', '127.0.0.1'], { cwd: dir, env, ...(wrapper === undefined ? {} : { wrapper }) });
  t.is(result.code, 1, result.stderr);
  t.regex(result.stderr, /may not listen on port 443/);
  t.regex(result.stderr, /setcap cap_net_bind_service/);
  t.regex(result.stderr, /ip_unprivileged_port_start/);
  t.true(result.stderr.includes(`node ${CLI_PATH} up --https-port 8443 --http-port 8081`), 'one command that moves both ports');
  t.notRegex(result.stderr, /\n\s+at /);
});

test('devtls init writes a starter config that devtls accepts, and never overwrites', async (t) => {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  const first = await runDevtls(['init'], { cwd: temp.dir });
  t.is(first.code, 0, first.stderr);
  const text = await readFile(join(temp.dir, 'proxy.config.json'), 'utf8');
  t.regex(text, /"routes"/);
  const again = await runDevtls(['init'], { cwd: temp.dir });
  t.is(again.code, 1);
  t.regex(again.stderr, /already exists/);
  t.is(await readFile(join(temp.dir, 'proxy.config.json'), 'utf8'), text);
});

test('devtls cert writes a certificate openssl verifies, and a 0600 key', async (t) => {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  const env = { DEVTLS_CA_DIR: join(temp.dir, 'ca') };
  const result = await runDevtls(['cert', 'app.localhost', '127.0.0.1', '--out', join(temp.dir, 'out')], { cwd: temp.dir, env });
  t.is(result.code, 0, result.stderr);
  const cert = join(temp.dir, 'out', 'app.localhost.pem');
  const key = join(temp.dir, 'out', 'app.localhost-key.pem');
  t.is((await stat(key)).mode & 0o777, 0o600);
  const { stdout } = await run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', 'app.localhost', '-CAfile', join(temp.dir, 'ca', 'rootCA.pem'), cert]);
  t.regex(stdout, /OK/);
  t.false(result.stdout.includes('PRIVATE KEY'));
  const outside = await runDevtls(['cert', 'www.example.com'], { cwd: temp.dir, env });
  t.is(outside.code, 1, 'the CA refuses names outside its constraints');
});

test('devtls ca prints the folder and the SHA-256 fingerprint openssl computes', async (t) => {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  const caDir = join(temp.dir, 'ca');
  const result = await runDevtls(['ca', '--ca-dir', caDir]);
  t.is(result.code, 0, result.stderr);
  t.true(result.stdout.includes(caDir));
  const { stdout } = await run('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(caDir, 'rootCA.pem')]);
  const fingerprint = stdout.trim().split('=')[1] as string;
  t.true(result.stdout.includes(fingerprint), `${result.stdout} should contain ${fingerprint}`);
});

test('--help works on every command, and an unknown flag is a usage error', async (t) => {
  const temp = await makeTempDir();
  t.teardown(temp.remove);
  for (const command of [[], ['up'], ['init'], ['cert'], ['ca']]) {
    const result = await runDevtls([...command, '--help'], { cwd: temp.dir });
    t.is(result.code, 0, `${command.join(' ')} --help`);
    t.true(result.stdout.startsWith(`node ${CLI_PATH} ${command.join(' ')}`), `help spells the command as it was run: ${result.stdout}`);
  }
  const up = await runDevtls(['up', '--help']);
  for (const flag of ['--config', '--https-port', '--http-port', '--host', '--ca-dir', '--certs-dir']) t.true(up.stdout.includes(flag), flag);
  const bad = await runDevtls(['up', '--bogus']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /Unknown argument/);
});
