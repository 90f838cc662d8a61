import { createServer } from 'node:net';
import { startDemoBackends } from './backends.js';
import { runCli } from '../cli/main.js';
import { reportError } from '../cli/terminal.js';
import { invocation } from '../invocation.js';

/**
 * `npm start`: two demo dev servers on :8080 and :8090, then `devtls up` on the example
 * proxy.config.json. Ports 443/80 need a permission most laptops do not give; when they
 * are refused, the demo says so and uses 8443/8081, so a newcomer sees it work either way.
 */
async function main(): Promise<number> {
  let backends;
  try {
    backends = await startDemoBackends();
  } catch (error) {
    return reportError(error);
  }
  console.log('Demo dev servers: http://127.0.0.1:8080 (app) and http://127.0.0.1:8090 (api)\n');
  const args = ['up', ...process.argv.slice(2)];
  if (process.argv.length === 2 && !(await mayBind(443))) {
    console.log(`Ports 443/80 need extra permission on this machine (see \`${invocation()} up --help\`); the demo uses 8443 and 8081.\n`);
    args.push('--https-port', '8443', '--http-port', '8081');
  }
  const code = await runCli(args);
  for (const server of backends) server.close();
  return code;
}

function mayBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code !== 'EACCES'));
    probe.listen({ port, host: '127.0.0.1' }, () => probe.close(() => resolve(true)));
  });
}

process.exitCode = await main();
