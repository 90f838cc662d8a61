import test from 'ava';
import { access, chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reservePort } from '../helpers/test-ports.js';
import { runDevtls } from '../helpers/cli-process.js';
import { NGINX_CANDIDATES, startEngine, type RunningEngine } from '../helpers/engines.js';
import {
  checkHttp2,
  checkNotFound,
  checkRedirect,
  checkRoutedCases,
  checkUpstreamFailures,
  checkWebSocket,
  devtlsFront,
  startScenario,
  type Front,
  type Scenario,
} from '../helpers/export-scenario.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { runTool } from '../helpers/run-tool.js';
import { hasTool } from '../helpers/tools.js';

// The exported nginx.conf, run by the real nginx (under the export folder as its prefix)
// beside devtls on the same config and CA.
let scenario: Scenario;
let nginx: RunningEngine | undefined;
let front: Front;
let outDir: string;
let check: { code: number; stderr: string };
let removeTemp: () => Promise<void>;
const releasePorts: (() => Promise<void>)[] = [];
const nginxPath = await findNginx();

async function findNginx(): Promise<string | undefined> {
  for (const candidate of NGINX_CANDIDATES) {
    if (candidate.includes('/')) {
      if (await access(candidate).then(() => true, () => false)) return candidate;
    } else if (await hasTool(candidate)) return candidate;
  }
  return undefined;
}

test.before(async () => {
  if (nginxPath === undefined) return;
  scenario = await startScenario();
  const temp = await makeTempDir('devtls-export-nginx-');
  removeTemp = temp.remove;
  // nginx's workers may run as another user (as root: nobody): they need to reach the folder.
  await chmod(temp.dir, 0o755);
  outDir = join(temp.dir, 'out');
  const reserved = [await reservePort(), await reservePort()];
  releasePorts.push(...reserved.map((port) => port.release));
  const [httpsPort, httpPort] = reserved.map((port) => port.port) as [number, number];
  const exported = await runDevtls(['export', 'nginx', '--config', scenario.devtls.configFile, '--out', outDir, '--https-port', String(httpsPort), '--http-port', String(httpPort), '--bind', '127.0.0.1', '--ca-dir', scenario.devtls.caDir]);
  if (exported.code !== 0) throw new Error(`devtls export nginx failed: ${exported.stderr}`);
  const conf = join(outDir, 'nginx.conf');
  check = await runTool(nginxPath, ['-t', '-p', outDir, '-c', conf]);
  if (check.code !== 0) return;
  nginx = await startEngine(nginxPath, ['-p', outDir, '-c', conf, '-g', 'daemon off;'], { cwd: outDir, port: httpsPort });
  front = { name: 'nginx', httpsPort, httpPort, ca: scenario.devtls.ca.certPem };
});

test.after.always(async () => {
  await nginx?.stop();
  await scenario?.close();
  await removeTemp?.();
  for (const release of releasePorts) await release();
});

function skipWithoutNginx(t: { log(message: string): void; pass(): void; fail(message: string): void }): boolean {
  if (nginxPath !== undefined) return false;
  if (process.env['CI'] === 'true') t.fail('nginx is missing in CI: apt-get install nginx');
  else {
    t.log('SKIPPED: nginx is not installed (apt-get install nginx)');
    t.pass();
  }
  return true;
}

test.serial('nginx -t accepts the exported nginx.conf, written for the installed version', async (t) => {
  if (skipWithoutNginx(t)) return;
  t.is(check.code, 0, check.stderr);
  const version = /nginx\/(\d+\.\d+\.\d+)/.exec((await runTool(nginxPath as string, ['-v'])).stderr)?.[1];
  const text = await readFile(join(outDir, 'nginx.conf'), 'utf8');
  t.true(text.includes(`for nginx ${version ?? '?'} (the nginx installed here)`));
  t.true(text.includes('pid logs/nginx.pid;'));
});

test.serial('every route reaches the same backend, path and headers through devtls and through nginx', async (t) => {
  if (skipWithoutNginx(t)) return;
  await checkRoutedCases(t, scenario, devtlsFront(scenario));
  await checkRoutedCases(t, scenario, front);
});

test.serial('unknown hosts and unrouted paths get 404 through both, never a backend', async (t) => {
  if (skipWithoutNginx(t)) return;
  await checkNotFound(t, scenario, devtlsFront(scenario));
  await checkNotFound(t, scenario, front);
});

test.serial('a WebSocket echoes through both', async (t) => {
  if (skipWithoutNginx(t)) return;
  await checkWebSocket(t, devtlsFront(scenario));
  await checkWebSocket(t, front);
});

test.serial('the http port answers 308 for configured hosts and 404 for others, through both', async (t) => {
  if (skipWithoutNginx(t)) return;
  await checkRedirect(t, devtlsFront(scenario));
  await checkRedirect(t, front);
});

test.serial('HTTP/2 to the client through both', async (t) => {
  if (skipWithoutNginx(t)) return;
  await checkHttp2(t, devtlsFront(scenario));
  await checkHttp2(t, front);
});

test.serial('a dead target gives 502 and a silent one 504 after the response timeout, through both', async (t) => {
  if (skipWithoutNginx(t)) return;
  await checkUpstreamFailures(t, devtlsFront(scenario));
  await checkUpstreamFailures(t, front);
});

test.serial('an export for nginx before 1.19.4 (no ssl_reject_handshake) passes nginx -t too', async (t) => {
  if (skipWithoutNginx(t)) return;
  const oldDir = join(outDir, '..', 'old');
  const exported = await runDevtls(['export', 'nginx', '--nginx-version', '1.18.0', '--config', scenario.devtls.configFile, '--out', oldDir, '--https-port', '8443', '--http-port', '8080', '--ca-dir', scenario.devtls.caDir]);
  t.is(exported.code, 0, exported.stderr);
  const text = await readFile(join(oldDir, 'nginx.conf'), 'utf8');
  t.notRegex(text, /ssl_reject_handshake on;/);
  const result = await runTool(nginxPath as string, ['-t', '-p', oldDir, '-c', join(oldDir, 'nginx.conf')]);
  t.is(result.code, 0, result.stderr);
});
