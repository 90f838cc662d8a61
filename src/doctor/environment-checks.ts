/** This shell's environment as clients read it: proxy variables that would send devtls
 * traffic to a proxy, and the CA variables Node.js and Python read instead of the system store. */
import { readFile } from 'node:fs/promises';
import { PROXY_VARIABLES, currentNoProxy, mergedNoProxy, noProxyCovers, noProxyEntries } from '../trust/no-proxy.js';
import { pemFingerprints, type TrustedCa } from '../trust/trusted-ca.js';
import { devtlsCommand, fail, ok, warn, type DoctorCheck, type FixFlags } from './check.js';

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function checkProxyVariables(env: NodeJS.ProcessEnv, hosts: readonly string[]): DoctorCheck {
  const id = 'proxy';
  const set = PROXY_VARIABLES.filter((name) => (env[name] ?? '') !== '');
  if (set.length === 0) return ok(id, 'no HTTPS_PROXY/HTTP_PROXY/ALL_PROXY set');
  const existing = currentNoProxy(env);
  const names = [...hosts, 'localhost', '127.0.0.1'];
  const uncovered = names.filter((host) => !noProxyCovers(existing, host));
  if (uncovered.length === 0) return ok(id, `${set.join(', ')} set, and NO_PROXY covers every routed name`);
  const value = shellQuote(mergedNoProxy(existing, noProxyEntries(hosts)));
  return fail(
    id,
    `${set.join(', ')} set without a NO_PROXY covering ${uncovered.join(', ')}: clients send devtls traffic to the proxy`,
    `export NO_PROXY=${value} no_proxy=${value}`,
  );
}

interface CaVariable {
  name: string;
  who: string;
  /** Whether a client without it still reaches devtls (it then uses the system store). */
  needed: boolean;
}

const CA_VARIABLES: readonly CaVariable[] = [
  { name: 'NODE_EXTRA_CA_CERTS', who: 'Node.js ignores the system store', needed: true },
  { name: 'SSL_CERT_FILE', who: 'OpenSSL-based clients (Python ssl, Ruby, Go) read the system store', needed: false },
  { name: 'REQUESTS_CA_BUNDLE', who: 'Python requests uses certifi, not the system store', needed: true },
];

export async function checkRuntimeVariables(env: NodeJS.ProcessEnv, ca: TrustedCa | undefined, flags: FixFlags): Promise<DoctorCheck[]> {
  const fix = `eval "$(${devtlsCommand('env', flags, ['caDir', 'config'])})"`;
  const checks: DoctorCheck[] = [];
  for (const variable of CA_VARIABLES) {
    const id = `runtime:${variable.name}`;
    const value = env[variable.name] ?? '';
    if (value === '') {
      checks.push(variable.needed ? warn(id, `${variable.name} is not set: ${variable.who}, so it rejects devtls's certificates`, fix) : ok(id, `${variable.name} is not set: ${variable.who}`));
      continue;
    }
    let text: string;
    try {
      text = await readFile(value, 'utf8');
    } catch {
      checks.push(fail(id, `${variable.name}=${value} cannot be read`, fix));
      continue;
    }
    if (ca === undefined) continue;
    checks.push(
      pemFingerprints(text).includes(ca.sha256)
        ? ok(id, `${variable.name}=${value} includes the devtls CA`)
        : fail(id, `${variable.name}=${value} does not include the devtls CA: clients that read it reject devtls's certificates`, fix),
    );
  }
  return checks;
}
