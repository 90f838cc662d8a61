import test from 'ava';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI_INVOCATION, runDevtls, startDevtlsProcess } from '../helpers/cli-process.js';
import { tempDirFor } from '../helpers/temp-dir.js';
import { deadPort } from '../helpers/backends.js';
import { hasTool, requireTool } from '../helpers/tools.js';
import { exitOf, instanceEnded } from '../helpers/instance.js';

async function project(t: Parameters<typeof tempDirFor>[0]) {
  const dir = await tempDirFor(t, 'devtls-doctor-cli-');
  await mkdir(join(dir, 'home'));
  await writeFile(join(dir, 'hosts'), '127.0.0.1 localhost\n');
  const config = { httpsPort: await deadPort(), httpPort: await deadPort(), routes: [{ host: 'shop.test', target: 8080 }] };
  await writeFile(join(dir, 'proxy.config.json'), JSON.stringify(config));
  const env = { HOME: join(dir, 'home'), DEVTLS_CA_DIR: join(dir, 'ca'), HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '', no_proxy: '' };
  return { dir, env };
}

test('devtls doctor --json: {"ok", "checks": [{id, status, message, fix}]}, exit 1 when something is ✘; no CA yet is ✘ with devtls ca', async (t) => {
  const { dir, env } = await project(t);
  const result = await runDevtls(['doctor', '--json', '--hosts-file', 'hosts'], { cwd: dir, env });
  t.is(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout) as { ok: boolean; checks: { id: string; status: string; message: string; fix: string }[] };
  t.deepEqual(Object.keys(report), ['ok', 'checks']);
  t.false(report.ok);
  for (const check of report.checks) {
    t.deepEqual(Object.keys(check), ['id', 'status', 'message', 'fix']);
    t.true(['ok', 'warn', 'fail'].includes(check.status), check.status);
    t.true(check.status === 'ok' ? check.fix === '' : check.status === 'warn' || check.fix !== '', `${check.id}: a ✘ always has its fix`);
  }
  const byId = new Map(report.checks.map((check) => [check.id, check]));
  t.deepEqual(byId.get('ca.files'), { id: 'ca.files', status: 'fail', message: `no devtls CA in ${join(dir, 'ca')}`, fix: `${CLI_INVOCATION} ca` });
  t.is(byId.get('name:shop.test')?.fix, `${CLI_INVOCATION} hosts --write --hosts-file hosts`);
  t.is(byId.get('proxy')?.status, 'fail');
  t.regex(result.stderr, /checks failed/);
  t.is(result.stdout.trim().startsWith('{'), true, 'stdout is the JSON alone');
});

test('devtls doctor: one line per check marked ✔ ⚠ ✘, and under each ✘ the fix; applying the CA fix turns it ✔', async (t) => {
  const { dir, env } = await project(t);
  const before = await runDevtls(['doctor', '--hosts-file', 'hosts'], { cwd: dir, env });
  t.is(before.code, 1);
  const lines = before.stdout.trimEnd().split('\n');
  for (const [index, line] of lines.entries()) {
    t.regex(line, /^(✔|⚠|✘) \S|^ {2}fix: \S/, line);
    if (line.startsWith('✘')) t.regex(lines[index + 1] ?? '', /^ {2}fix: /, `the fix under: ${line}`);
  }
  t.true(lines.includes(`✘ no devtls CA in ${join(dir, 'ca')}`));
  t.true(lines.includes('✘ shop.test: the system resolver (Node, Python, Java, wget) does not resolve it'));
  t.true(lines.includes(`  fix: ${CLI_INVOCATION} hosts --write --hosts-file hosts`), 'the fix is spelt the way devtls was run');
  const ca = await runDevtls(['ca'], { cwd: dir, env });
  t.is(ca.code, 0, ca.stderr);
  const after = await runDevtls(['doctor', '--hosts-file', 'hosts'], { cwd: dir, env });
  t.regex(after.stdout, /^✔ CA files present in /m);
  t.regex(after.stdout, /^✔ CA may sign \.localhost, \.test/m);
  t.regex(after.stdout, /^✔ certificates served by a throwaway server with fresh certificates from the CA \(no devtls running\) are valid for (89|90) more days/m);
});

test('devtls hosts: --write and --remove together are refused; a wildcard that does not resolve gets a note, never a line', async (t) => {
  const { dir, env } = await project(t);
  await writeFile(join(dir, 'proxy.config.json'), JSON.stringify({ routes: [{ host: '*.preview.test', target: 8080 }, { host: 'shop.test', target: 8081 }] }));
  const both = await runDevtls(['hosts', '--write', '--remove', '--hosts-file', 'hosts'], { cwd: dir, env });
  t.is(both.code, 2, 'a usage error');
  t.regex(both.stderr, /Give --write or --remove, not both/);
  const printed = await runDevtls(['hosts', '--hosts-file', 'hosts'], { cwd: dir, env });
  t.is(printed.code, 0, printed.stderr);
  t.is(printed.stdout, '127.0.0.1 shop.test\n::1 shop.test\n');
  t.regex(printed.stderr, /\*\.preview\.test does not resolve to loopback and a hosts file cannot hold a wildcard/);
});

test('a port this user may not bind: ✘ with the exact fixes devtls up gives (run as an unprivileged user); a high port is ✔', async (t) => {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !(await hasTool('setpriv'))) {
    if (process.env['CI'] === 'true') return t.fail('CI runs as root with setpriv (util-linux), to drop to an unprivileged user');
    t.log('SKIPPED: needs root and setpriv to run doctor as an unprivileged user');
    return t.pass();
  }
  const dir = await tempDirFor(t, 'devtls-doctor-ports-');
  await chmod(dir, 0o755);
  const high = await deadPort();
  await writeFile(join(dir, 'proxy.config.json'), JSON.stringify({ httpsPort: 443, httpPort: high, routes: [{ host: 'app.localhost', target: 8080 }] }), { mode: 0o644 });
  const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  const env = { HOME: dir, DEVTLS_CA_DIR: join(dir, 'ca') };
  const result = await runDevtls(['doctor', '--json'], { cwd: dir, env, wrapper: nobody });
  const report = JSON.parse(result.stdout) as { checks: { id: string; status: string; message: string; fix: string }[] };
  const refused = report.checks.find((check) => check.id === 'port:443');
  t.is(refused?.status, 'fail', result.stdout + result.stderr);
  t.is(refused?.message, 'devtls may not listen on port 443 (HTTPS, 127.0.0.1:443): ports below 1024 need permission on Linux.');
  t.true(refused?.fix.includes(`sudo setcap cap_net_bind_service=+ep "$(readlink -f "$(command -v node)")"`), refused?.fix);
  t.true(refused?.fix.includes('sudo sysctl net.ipv4.ip_unprivileged_port_start=80'), refused?.fix);
  t.regex(refused?.fix ?? '', / up --https-port 8443 --http-port 8081/);
  t.is(report.checks.find((check) => check.id === `port:${high}`)?.status, 'ok', 'the high port, as that fix suggests');
});

test('devtls hosts --write on a file this user may not write: the one sudo step is shown first, and a failure leaves the file as it was', async (t) => {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !(await hasTool('setpriv'))) {
    if (process.env['CI'] === 'true') return t.fail('CI runs as root with setpriv (util-linux), to drop to an unprivileged user');
    t.log('SKIPPED: needs root and setpriv to run devtls as an unprivileged user');
    return t.pass();
  }
  const dir = await tempDirFor(t, 'devtls-hosts-sudo-');
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'proxy.config.json'), JSON.stringify({ routes: [{ host: 'shop.test', target: 8080 }] }), { mode: 0o644 });
  const hostsFile = join(dir, 'hosts');
  const original = '127.0.0.1 localhost\n';
  await writeFile(hostsFile, original, { mode: 0o644 }); // owned by root: not writable by nobody
  const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  const sudoMissing = !(await hasTool('sudo'));
  const result = await runDevtls(['hosts', '--write', '--hosts-file', hostsFile], { cwd: dir, env: { HOME: dir }, wrapper: nobody, timeoutMs: 20_000 });
  const stepShown = new RegExp(`^${hostsFile.replace(/[.]/g, '\\.')} needs admin rights; devtls runs only this step with sudo \\(it may ask for your password\\):\\n {2}sudo cp \\S+/devtls-hosts-\\w+/hosts ${hostsFile.replace(/[.]/g, '\\.')}\\n`);
  t.regex(result.stdout, stepShown);
  if (sudoMissing) {
    t.is(result.code, 1);
    t.regex(result.stderr, /sudo is not installed/);
  }
  t.is(await readFile(hostsFile, 'utf8'), original, 'unchanged until the elevated step succeeds');
  const staged = /sudo cp (\S+) /.exec(result.stdout)?.[1] ?? '';
  t.false(await stat(staged).then(() => true, () => false), 'the staged copy is removed');
});

test('with devtls up running on the config\'s port, doctor shakes hands with it: its port is ✔ as its own, and the NSS store verifies the certificate it serves', async (t) => {
  if (!(await requireTool(t, 'tstclnt', 'apt-get install libnss3-tools'))) return;
  const { dir, env } = await project(t);
  const routesEnv = { ...env, HTTPS_PROXY: '' };
  const trust = await runDevtls(['trust', '--store', 'nss'], { cwd: dir, env: routesEnv });
  t.is(trust.code, 0, trust.stdout + trust.stderr);
  const config = JSON.parse(await readFile(join(dir, 'proxy.config.json'), 'utf8')) as { httpsPort: number; httpPort: number };
  const { child } = await startDevtlsProcess(['up', '--host', '127.0.0.1', '--no-watch'], /Press Ctrl-C/, { cwd: dir, env: routesEnv });
  // Its instance ends once it has: both before the folder goes.
  t.teardown(async () => {
    child.kill('SIGTERM');
    await exitOf(child);
    await instanceEnded(join(dir, '.devtls-state'));
  });
  const result = await runDevtls(['doctor', '--json', '--hosts-file', 'hosts'], { cwd: dir, env: routesEnv });
  const checks = new Map((JSON.parse(result.stdout) as { checks: { id: string; status: string; message: string }[] }).checks.map((check) => [check.id, check]));
  t.is(checks.get(`port:${config.httpsPort}`)?.message, `port ${config.httpsPort} (HTTPS) is bound by the running devtls`);
  t.is(checks.get(`port:${config.httpPort}`)?.message, `port ${config.httpPort} (HTTP) is bound by the running devtls`);
  t.regex(checks.get('served-certificate')?.message ?? '', new RegExp(`^certificates served by the devtls on 127\\.0\\.0\\.1:${config.httpsPort} are valid for (89|90) more days`));
  t.is(checks.get('trust:nss ~/.pki/nssdb')?.status, 'ok', checks.get('trust:nss ~/.pki/nssdb')?.message);
});
