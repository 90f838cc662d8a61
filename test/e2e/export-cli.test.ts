import test from 'ava';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Gateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { parseAllDocuments } from 'yaml';
import { runDevtls } from '../helpers/cli-process.js';
import { tempDirFor } from '../helpers/temp-dir.js';

const CONFIG = {
  routes: [
    { host: 'app.localhost', target: 8080 },
    { host: 'app.localhost', path: '/api', target: 8090, stripPrefix: true },
    { host: '*.preview.localhost', target: 8090 },
  ],
};

async function project(t: Parameters<typeof tempDirFor>[0]): Promise<{ dir: string; config: string; caDir: string }> {
  const dir = await tempDirFor(t, 'devtls-export-cli-');
  const config = join(dir, 'proxy.config.json');
  await writeFile(config, JSON.stringify(CONFIG, null, 2));
  return { dir, config, caDir: join(dir, 'ca') };
}

function oneLineError(stderr: string): void {
  if (/\n\s+at /.test(stderr)) throw new Error(`a stack trace was printed:\n${stderr}`);
}

test('an unknown format is a one-line error, exit 1, nothing written', async (t) => {
  const { dir, config, caDir } = await project(t);
  const result = await runDevtls(['export', 'traefik', '--config', config, '--out', join(dir, 'out'), '--ca-dir', caDir]);
  t.is(result.code, 1);
  t.regex(result.stderr, /^devtls: unknown export format "traefik"\nchoose one of: caddy, nginx, kubernetes/);
  t.notThrows(() => oneLineError(result.stderr));
  t.false((await readdir(dir)).includes('out'));
});

test('an unreadable config is a one-line error, exit 1, nothing written', async (t) => {
  const { dir, caDir } = await project(t);
  const result = await runDevtls(['export', 'caddy', '--config', join(dir, 'missing.json'), '--out', join(dir, 'out'), '--ca-dir', caDir]);
  t.is(result.code, 1);
  t.regex(result.stderr, /^devtls: no missing\.json in /);
  t.notThrows(() => oneLineError(result.stderr));
  t.false((await readdir(dir)).includes('out'));
});

test('a folder holding files export did not write is refused without --force, and kept with it', async (t) => {
  const { dir, config, caDir } = await project(t);
  const out = join(dir, 'out');
  await mkdir(out);
  await writeFile(join(out, 'Caddyfile'), 'mine\n');
  const refused = await runDevtls(['export', 'caddy', '--config', config, '--out', out, '--ca-dir', caDir]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /^devtls: \S*out holds files devtls export did not write \(Caddyfile\); nothing was written\n.*--force/);
  t.is(await readFile(join(out, 'Caddyfile'), 'utf8'), 'mine\n');
  t.deepEqual(await readdir(out), ['Caddyfile']);
  t.false((await readdir(dir)).includes('ca'), 'a refused export creates no CA either');

  await writeFile(join(out, 'notes.txt'), 'keep me\n');
  const forced = await runDevtls(['export', 'caddy', '--config', config, '--out', out, '--ca-dir', caDir, '--force']);
  t.is(forced.code, 0, forced.stderr);
  t.regex(await readFile(join(out, 'Caddyfile'), 'utf8'), /devtls export caddy/);
  t.is(await readFile(join(out, 'notes.txt'), 'utf8'), 'keep me\n', 'other files are left alone');
});

test('exporting again into its own folder needs no --force; keys are 0600 in a 0700 folder', async (t) => {
  const { dir, config, caDir } = await project(t);
  const out = join(dir, 'out');
  for (let run = 0; run < 2; run++) {
    const result = await runDevtls(['export', 'nginx', '--config', config, '--out', out, '--ca-dir', caDir, '--nginx-version', '1.25.1']);
    t.is(result.code, 0, result.stderr);
  }
  t.is((await stat(join(out, 'certs'))).mode & 0o777, 0o700);
  t.is((await stat(join(out, 'certs', 'app.localhost-key.pem'))).mode & 0o777, 0o600);
  t.is((await stat(join(out, 'certs', '_wildcard.preview.localhost-key.pem'))).mode & 0o777, 0o600);
  const text = await readFile(join(out, 'nginx.conf'), 'utf8');
  t.regex(text, /for nginx 1\.25\.1 \(--nginx-version\)/);
  t.regex(text, /^\s+http2 on;$/m);
});

test('what does not carry over is said on stderr as well as in the file', async (t) => {
  const { dir, config, caDir } = await project(t);
  const result = await runDevtls(['export', 'kubernetes', '--config', config, '--out', join(dir, 'k8s'), '--ca-dir', caDir]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /warning not carried over exactly: a wildcard host matches any number of labels/);
  t.regex(result.stdout, /gateway\.yaml/);
  t.false((await readdir(join(dir, 'k8s'))).includes('certs'), 'no certificates for a cluster');
  t.false((await readdir(dir)).includes('ca'), 'the CA is not even opened');
});

test('--tls acme writes no certificates and leaves them to the engine', async (t) => {
  const { dir, config, caDir } = await project(t);
  const out = join(dir, 'out');
  const result = await runDevtls(['export', 'caddy', '--tls', 'acme', '--config', config, '--out', out, '--ca-dir', caDir]);
  t.is(result.code, 0, result.stderr);
  t.deepEqual((await readdir(out)).sort(), ['.devtls-export.json', 'Caddyfile']);
  const text = await readFile(join(out, 'Caddyfile'), 'utf8');
  t.notRegex(text, /^\ttls /m);
  t.regex(result.stderr, /DNS challenge/);
});

test('kubernetes: gateway.yaml with --service names validates against the Gateway API v1 schema', async (t) => {
  const { dir, config, caDir } = await project(t);
  const result = await runDevtls(['export', 'kubernetes', '--config', config, '--out', join(dir, 'k8s'), '--ca-dir', caDir, '--service', '8080=web', '--service', '8090=api']);
  t.is(result.code, 0, result.stderr);
  const docs = parseAllDocuments(await readFile(join(dir, 'k8s', 'gateway.yaml'), 'utf8'), { uniqueKeys: true, strict: true });
  t.is(docs.length, 4);
  const names: string[] = [];
  for (const doc of docs) {
    t.deepEqual(doc.errors, []);
    const value = doc.toJS() as { kind: string; metadata: { name: string } };
    names.push(`${value.kind}/${value.metadata.name}`);
    t.notThrows(() => (value.kind === 'Gateway' ? new Gateway(value as never) : new HTTPRoute(value as never)).validate());
  }
  t.deepEqual(names, ['Gateway/devtls', 'HTTPRoute/app-localhost', 'HTTPRoute/wildcard-preview-localhost', 'HTTPRoute/devtls-https-redirect']);
  const text = await readFile(join(dir, 'k8s', 'gateway.yaml'), 'utf8');
  t.regex(text, /- name: web\n\s+port: 8080/);
  t.regex(text, /- name: api\n\s+port: 8090/);
  const bad = await runDevtls(['export', 'kubernetes', '--config', config, '--out', join(dir, 'k8s2'), '--service', '8080=Web_App']);
  t.is(bad.code, 2, 'a malformed flag value is a usage error');
  t.regex(bad.stderr, /^devtls: --service 8080=Web_App: expected PORT=NAME/);
});
