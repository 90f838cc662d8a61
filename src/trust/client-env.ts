/**
 * Environment variables for clients that ignore the system store. Variables that ADD a CA
 * (NODE_EXTRA_CA_CERTS, DENO_CERT) point to the CA itself; variables that REPLACE a client's
 * whole CA list (Python requests, SSL_CERT_FILE, curl, git) point to a bundle beside the CA
 * holding the system's public roots plus the devtls CA, so public HTTPS keeps working.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../pki/secure-files.js';
import { SYSTEM_BUNDLES } from './store-paths.js';
import { pemFingerprints, type TrustedCa } from './trusted-ca.js';

export const COMBINED_BUNDLE_FILE = 'ca-bundle-with-system.pem';

export interface ClientVariable {
  name: string;
  value: string;
  note: string;
}

export type Shell = 'sh' | 'fish' | 'powershell';

/** Write `<caDir>/ca-bundle-with-system.pem`: the first system bundle found + the CA.
 * Returns its path and which system bundle it copied (undefined: none found, CA only). */
export async function writeCombinedBundle(ca: TrustedCa, caDir: string, root = '/'): Promise<{ path: string; systemBundle: string | undefined }> {
  let system: { path: string; text: string } | undefined;
  for (const bundle of SYSTEM_BUNDLES) {
    try {
      system = { path: bundle, text: await readFile(join(root, bundle), 'utf8') };
      break;
    } catch {
      // Not this distribution's.
    }
  }
  const base = system?.text ?? '';
  const text = pemFingerprints(base).includes(ca.sha256) ? base : `${base.trimEnd()}${base === '' ? '' : '\n'}# ${ca.commonName}\n${ca.certPem.trim()}\n`;
  const path = join(caDir, COMBINED_BUNDLE_FILE);
  await writeFileAtomic(path, text, 0o644);
  return { path, systemBundle: system?.path };
}

export function clientVariables(ca: TrustedCa, bundlePath: string): ClientVariable[] {
  return [
    { name: 'NODE_EXTRA_CA_CERTS', value: ca.certPath, note: 'Node.js, npm, Bun: added to the built-in roots (read when the process starts)' },
    { name: 'DENO_CERT', value: ca.certPath, note: 'Deno: an extra root CA' },
    { name: 'REQUESTS_CA_BUNDLE', value: bundlePath, note: 'Python requests (and pip): replaces certifi, so this bundle includes the system roots' },
    { name: 'SSL_CERT_FILE', value: bundlePath, note: 'Python ssl/httpx/aiohttp, Ruby, Go, OpenSSL-based tools: replaces the default file' },
    { name: 'CURL_CA_BUNDLE', value: bundlePath, note: 'curl (when built without the system store): replaces its bundle' },
    { name: 'GIT_SSL_CAINFO', value: bundlePath, note: 'git over https: replaces its bundle' },
  ];
}

function quote(value: string, shell: Shell): string {
  if (shell === 'powershell') return `'${value.replace(/'/g, "''")}'`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function formatVariable(variable: ClientVariable, shell: Shell): string {
  const value = quote(variable.value, shell);
  const line = shell === 'fish' ? `set -gx ${variable.name} ${value}` : shell === 'powershell' ? `$env:${variable.name} = ${value}` : `export ${variable.name}=${value}`;
  return `${line}  # ${variable.note}`;
}
