/**
 * The environment `devtls run` gives the dev server: where to listen, its public URL, and
 * the devtls CA for Node clients. NODE_EXTRA_CA_CERTS already set (a corporate proxy's CA,
 * say) is never replaced: the child gets a bundle of that file and the devtls CA.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

export interface ChildEnvInput {
  port: number;
  url: string;
  host: string;
  caCertFile: string;
  /** Where to write a CA bundle when NODE_EXTRA_CA_CERTS is already set. */
  bundleFile: string;
  /** Extra variables for the dev server found in the command (host allow-lists). */
  extra: Readonly<Record<string, string>>;
}

export interface ChildEnv {
  env: NodeJS.ProcessEnv;
  /** One line for the terminal when the CA could not be added. */
  warning?: string;
  /** The bundle file written, to remove when the child exits. */
  bundle?: string;
}

export async function childEnvironment(parent: NodeJS.ProcessEnv, input: ChildEnvInput): Promise<ChildEnv> {
  const env: NodeJS.ProcessEnv = { ...parent, ...input.extra, PORT: String(input.port), HOST: '127.0.0.1', DEVTLS_URL: input.url };
  const existing = parent['NODE_EXTRA_CA_CERTS'];
  if (existing === undefined || existing === '' || resolve(existing) === resolve(input.caCertFile)) {
    env['NODE_EXTRA_CA_CERTS'] = input.caCertFile;
    return { env };
  }
  let theirs: string;
  let ours: string;
  try {
    [theirs, ours] = await Promise.all([readFile(existing, 'utf8'), readFile(input.caCertFile, 'utf8')]);
  } catch (error) {
    return { env, warning: `NODE_EXTRA_CA_CERTS (${existing}) is kept as it is; the devtls CA could not be added to it: ${(error as Error).message}` };
  }
  if (theirs.includes(ours.trim())) return { env };
  await writeFile(input.bundleFile, `${theirs.trimEnd()}\n${ours.trimEnd()}\n`, { mode: 0o600 });
  env['NODE_EXTRA_CA_CERTS'] = input.bundleFile;
  return { env, bundle: input.bundleFile };
}
