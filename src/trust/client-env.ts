/**
 * Environment variables for clients that ignore the system store. Variables that ADD a CA
 * (NODE_EXTRA_CA_CERTS, DENO_CERT) point to the CA itself; variables that REPLACE a client's
 * whole CA list (Python requests, SSL_CERT_FILE, curl, git) point to a bundle beside the CA
 * holding the system's public roots plus the devtls CA, so public HTTPS keeps working. A
 * file such a variable already names (a corporate CA) is merged in, never dropped.
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

/** Variables that ADD roots to a client's own (their file holds extra CAs only). */
export const ADDING_VARIABLES: readonly string[] = ['NODE_EXTRA_CA_CERTS', 'DENO_CERT'];
/** Variables that REPLACE a client's whole list of roots. */
export const REPLACING_VARIABLES: readonly string[] = ['REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO'];
/** The file NODE_EXTRA_CA_CERTS/DENO_CERT point to when one was already set: its
 * certificates and the devtls CA. */
export const EXTRA_CA_FILE = 'extra-ca-certs.pem';

/** A CA file this shell already points a variable at (a corporate CA, say). */
export interface ExistingCaFile {
  variable: string;
  path: string;
  text: string;
}

/** The files the CA variables in `env` name, read (unreadable or empty ones are skipped,
 * and so is the devtls CA's own file). */
export async function existingCaFiles(env: NodeJS.ProcessEnv, variables: readonly string[], ca: TrustedCa): Promise<ExistingCaFile[]> {
  const found: ExistingCaFile[] = [];
  for (const variable of variables) {
    const path = env[variable] ?? '';
    if (path === '' || path === ca.certPath) continue;
    try {
      const text = await readFile(path, 'utf8');
      if (pemFingerprints(text).length > 0) found.push({ variable, path, text });
    } catch {
      // Unreadable: clients cannot use it either.
    }
  }
  return found;
}

function certificateBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
}

/** Every certificate of `sources`, once each, then the devtls CA (unless already there). */
function mergedPem(sources: readonly { label: string; text: string }[], ca: TrustedCa): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const source of sources) {
    const blocks = certificateBlocks(source.text).filter((block) => {
      const print = pemFingerprints(block)[0] ?? block;
      if (seen.has(print)) return false;
      seen.add(print);
      return true;
    });
    if (blocks.length > 0) parts.push(`# from ${source.label}\n${blocks.join('\n')}`);
  }
  if (!seen.has(ca.sha256)) parts.push(`# ${ca.commonName}\n${ca.certPem.trim()}`);
  return `${parts.join('\n')}\n`;
}

/** Write `<caDir>/ca-bundle-with-system.pem`: the first system bundle found, the
 * certificates of every file a replacing variable already names (`kept`), and the CA.
 * Returns its path and which system bundle it copied (undefined: none found). */
export async function writeCombinedBundle(
  ca: TrustedCa,
  caDir: string,
  root = '/',
  kept: readonly ExistingCaFile[] = [],
): Promise<{ path: string; systemBundle: string | undefined }> {
  let system: { path: string; text: string } | undefined;
  for (const bundle of SYSTEM_BUNDLES) {
    try {
      system = { path: bundle, text: await readFile(join(root, bundle), 'utf8') };
      break;
    } catch {
      // Not this distribution's.
    }
  }
  const sources = [...(system === undefined ? [] : [{ label: system.path, text: system.text }]), ...kept.map((file) => ({ label: `${file.path} (${file.variable})`, text: file.text }))];
  const path = join(caDir, COMBINED_BUNDLE_FILE);
  await writeFileAtomic(path, mergedPem(sources, ca), 0o644);
  return { path, systemBundle: system?.path };
}

/** For the adding variables: the CA itself, or, when one of them already names a file
 * (a corporate CA), `<caDir>/extra-ca-certs.pem` holding that file's certificates and the CA. */
export async function writeExtraCaFile(ca: TrustedCa, caDir: string, kept: readonly ExistingCaFile[]): Promise<string> {
  if (kept.length === 0) return ca.certPath;
  const path = join(caDir, EXTRA_CA_FILE);
  await writeFileAtomic(path, mergedPem(kept.map((file) => ({ label: `${file.path} (${file.variable})`, text: file.text })), ca), 0o644);
  return path;
}

export function clientVariables(ca: TrustedCa, bundlePath: string, extraPath: string = ca.certPath): ClientVariable[] {
  return [
    { name: 'NODE_EXTRA_CA_CERTS', value: extraPath, note: 'Node.js, npm, Bun: added to the built-in roots (read when the process starts)' },
    { name: 'DENO_CERT', value: extraPath, note: 'Deno: an extra root CA' },
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
