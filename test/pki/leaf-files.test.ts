// Leaf files on disk: names, and a folder devtls creates that git ignores, so that
// `git add .` in a project never takes a private key.
import test, { type ExecutionContext } from 'ava';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import { LEAF_DIR_GITIGNORE, fileStemForHostKey, leafFilePaths } from '../../dist/pki/leaf-files.js';
import { LeafCertificateStore } from '../../dist/pki/leaf-store.js';
import { runDevtls } from '../helpers/cli-process.js';
import { runTool } from '../helpers/run-tool.js';
import { tempDirFor } from '../helpers/temp-dir.js';
import { requireTool } from '../helpers/tools.js';

test('leaf file names: one stem per host key, wildcards and IPs made safe', (t) => {
  t.is(fileStemForHostKey('app.localhost'), 'app.localhost');
  t.is(fileStemForHostKey('*.preview.localhost'), '_wildcard.preview.localhost');
  t.is(fileStemForHostKey('::1'), '__1');
  t.is(fileStemForHostKey('127.0.0.1'), '127.0.0.1');
  t.deepEqual(leafFilePaths('/x', '*.preview.localhost'), { certPath: join('/x', '_wildcard.preview.localhost.pem'), keyPath: join('/x', '_wildcard.preview.localhost-key.pem') });
});

async function gitRepo(t: ExecutionContext): Promise<string | undefined> {
  if (!(await requireTool(t, 'git', 'apt-get install git'))) return undefined;
  const repo = await tempDirFor(t, 'devtls-git-');
  const init = await runTool('git', ['-C', repo, 'init', '-q']);
  t.is(init.code, 0, init.stderr);
  await writeFile(join(repo, 'index.html'), '<h1>app</h1>\n');
  return repo;
}

async function stagedFiles(repo: string): Promise<string[]> {
  const add = await runTool('git', ['-C', repo, 'add', '.']);
  if (add.code !== 0) throw new Error(add.stderr);
  const status = await runTool('git', ['-C', repo, 'status', '--porcelain', '--untracked-files=all']);
  return status.stdout.split('\n').filter((line) => line !== '');
}

test('a certs folder the leaf store creates is ignored by git: git add . stages no key', async (t) => {
  const repo = await gitRepo(t);
  if (repo === undefined) return;
  const { ca } = await CertificateAuthority.open({ dir: join(await tempDirFor(t), 'ca') });
  const store = new LeafCertificateStore(ca, join(repo, 'certs'));
  for (const host of ['app.localhost', '*.preview.localhost', 'localhost']) await store.get(host);
  t.is(await readFile(join(repo, 'certs', '.gitignore'), 'utf8'), LEAF_DIR_GITIGNORE);
  t.true((await readdir(join(repo, 'certs'))).includes('app.localhost-key.pem'));
  t.deepEqual(await stagedFiles(repo), ['A  index.html']);
});

test('devtls cert into a new folder: git add . stages no key', async (t) => {
  const repo = await gitRepo(t);
  if (repo === undefined) return;
  const env = { DEVTLS_CA_DIR: join(await tempDirFor(t), 'ca') };
  const result = await runDevtls(['cert', 'app.localhost', '--out', 'tls'], { cwd: repo, env });
  t.is(result.code, 0, result.stderr);
  t.true((await readdir(join(repo, 'tls'))).includes('app.localhost-key.pem'));
  t.deepEqual(await stagedFiles(repo), ['A  index.html']);
});

test('an existing certs folder is left to its owner: no .gitignore is added to it', async (t) => {
  const base = await tempDirFor(t);
  const certs = join(base, 'certs');
  await mkdir(certs);
  await writeFile(join(certs, 'README.md'), 'kept by the project\n');
  const { ca } = await CertificateAuthority.open({ dir: join(base, 'ca') });
  await new LeafCertificateStore(ca, certs).get('app.localhost');
  t.deepEqual((await readdir(certs)).sort(), ['README.md', 'app.localhost-key.pem', 'app.localhost.pem']);
});
