import test from 'ava';
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { reservePort } from '../helpers/test-ports.js';
import { runDevtls } from '../helpers/cli-process.js';
import { caddyEnvironment, startEngine, type RunningEngine } from '../helpers/engines.js';
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

// The exported Caddyfile, run by the real Caddy beside devtls on the same config and CA.
let scenario: Scenario;
let caddy: RunningEngine | undefined;
let front: Front;
let outDir: string;
let adapt: { code: number; stderr: string };
let removeTemp: () => Promise<void>;
const releasePorts: (() => Promise<void>)[] = [];
const available = await hasTool('caddy');

test.before(async () => {
  if (!available) return;
  scenario = await startScenario();
  const temp = await makeTempDir('devtls-export-caddy-');
  removeTemp = temp.remove;
  await chmod(temp.dir, 0o755);
  outDir = join(temp.dir, 'out');
  const reserved = [await reservePort(), await reservePort()];
  releasePorts.push(...reserved.map((port) => port.release));
  const [httpsPort, httpPort] = reserved.map((port) => port.port) as [number, number];
  const exported = await runDevtls(['export', 'caddy', '--config', scenario.devtls.configFile, '--out', outDir, '--https-port', String(httpsPort), '--http-port', String(httpPort), '--bind', '127.0.0.1', '--ca-dir', scenario.devtls.caDir]);
  if (exported.code !== 0) throw new Error(`devtls export caddy failed: ${exported.stderr}`);
  const env = await caddyEnvironment(temp.dir);
  adapt = await runTool('caddy', ['adapt', '--config', 'Caddyfile', '--adapter', 'caddyfile'], { cwd: outDir, env });
  if (adapt.code !== 0) return;
  caddy = await startEngine('caddy', ['run', '--config', 'Caddyfile', '--adapter', 'caddyfile'], { cwd: outDir, env, port: httpsPort });
  front = { name: 'caddy', httpsPort, httpPort, ca: scenario.devtls.ca.certPem };
});

test.after.always(async () => {
  await caddy?.stop();
  await scenario?.close();
  await removeTemp?.();
  for (const release of releasePorts) await release();
});

function skipWithoutCaddy(t: { log(message: string): void; pass(): void; fail(message: string): void }): boolean {
  if (available) return false;
  if (process.env['CI'] === 'true') t.fail('caddy is missing in CI: apt-get install caddy');
  else {
    t.log('SKIPPED: caddy is not installed (apt-get install caddy)');
    t.pass();
  }
  return true;
}

test.serial('caddy adapt accepts the exported Caddyfile', async (t) => {
  if (skipWithoutCaddy(t)) return;
  t.is(adapt.code, 0, adapt.stderr);
  t.notRegex(adapt.stderr, /"level":"(warn|error)"/, 'no warnings from the Caddyfile adapter');
  const keyMode = (await stat(join(outDir, 'certs', 'app.localhost-key.pem'))).mode & 0o777;
  t.is(keyMode, 0o600);
  const text = await readFile(join(outDir, 'Caddyfile'), 'utf8');
  t.regex(text, /Not carried over exactly/);
});

test.serial('every route reaches the same backend, path and headers through devtls and through Caddy', async (t) => {
  if (skipWithoutCaddy(t)) return;
  await checkRoutedCases(t, scenario, devtlsFront(scenario));
  await checkRoutedCases(t, scenario, front);
});

test.serial('unknown hosts and unrouted paths get 404 through both, never a backend', async (t) => {
  if (skipWithoutCaddy(t)) return;
  await checkNotFound(t, scenario, devtlsFront(scenario));
  await checkNotFound(t, scenario, front);
});

test.serial('a WebSocket echoes through both', async (t) => {
  if (skipWithoutCaddy(t)) return;
  await checkWebSocket(t, devtlsFront(scenario));
  await checkWebSocket(t, front);
});

test.serial('the http port answers 308 for configured hosts and 404 for others, through both', async (t) => {
  if (skipWithoutCaddy(t)) return;
  await checkRedirect(t, devtlsFront(scenario));
  await checkRedirect(t, front);
});

test.serial('HTTP/2 to the client through both', async (t) => {
  if (skipWithoutCaddy(t)) return;
  await checkHttp2(t, devtlsFront(scenario));
  await checkHttp2(t, front);
});

test.serial('a dead target gives 502 and a silent one 504 after the response timeout, through both', async (t) => {
  if (skipWithoutCaddy(t)) return;
  await checkUpstreamFailures(t, devtlsFront(scenario));
  await checkUpstreamFailures(t, front);
});

test.serial('a --tls acme export adapts too, with no certificate files', async (t) => {
  if (skipWithoutCaddy(t)) return;
  const acmeDir = join(outDir, '..', 'acme');
  const exported = await runDevtls(['export', 'caddy', '--tls', 'acme', '--config', scenario.devtls.configFile, '--out', acmeDir, '--ca-dir', scenario.devtls.caDir]);
  t.is(exported.code, 0, exported.stderr);
  const env = await caddyEnvironment(join(outDir, '..'));
  const result = await runTool('caddy', ['adapt', '--config', 'Caddyfile', '--adapter', 'caddyfile'], { cwd: acmeDir, env });
  t.is(result.code, 0, result.stderr);
  t.notRegex(result.stdout, /load_files/);
});
