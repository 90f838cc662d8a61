import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { parseConfigBytes, readConfigFile } from '../config/load-config.js';
import { isUserError } from '../errors.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { defaultCaDir } from '../pki/ca-location.js';
import {
  ADDING_VARIABLES,
  REPLACING_VARIABLES,
  clientVariables,
  existingCaFiles,
  formatVariable,
  writeCombinedBundle,
  writeExtraCaFile,
  type Shell,
} from '../trust/client-env.js';
import { currentNoProxy, mergedNoProxy, noProxyEntries } from '../trust/no-proxy.js';
import { trustedCa } from '../trust/trusted-ca.js';
import { invocation } from '../invocation.js';
import { reportCaNotices } from './ca-report.js';
import { caOptions } from './shared-options.js';

interface EnvArgs {
  caDir: string | undefined;
  config: string;
  shell: Shell;
}

/** The routed hosts, when the config can be read (env works without one). */
async function routedHosts(config: string): Promise<{ hosts: string[]; note: string | undefined }> {
  try {
    const contents = await readConfigFile(config);
    const { config: parsed } = parseConfigBytes(contents.bytes, contents.shownName, contents.absolute);
    return { hosts: [...new Set(parsed.routes.map((route) => route.host))], note: undefined };
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { hosts: [], note: error.code === 'ENOCONFIG' ? undefined : `${error.message.split('\n')[0]}: NO_PROXY covers localhost names only` };
  }
}

export const envCommand: CommandDefinition<EnvArgs> = {
  builder: (yargs: Argv) =>
    caOptions(yargs)
      .option('config', { alias: 'c', type: 'string', requiresArg: true, default: 'proxy.config.json', describe: 'The routes file whose names NO_PROXY gets (when it exists)' })
      .option('shell', { type: 'string', requiresArg: true, choices: ['sh', 'fish', 'powershell'], default: process.platform === 'win32' ? 'powershell' : 'sh', describe: 'Syntax of the lines' })
      .example('eval "$($0 env)"', 'in this shell (add it to ~/.bashrc or ~/.zshrc to keep it)') as unknown as Argv<EnvArgs>,
  handler: async (args) => {
    const { ca: authority } = await CertificateAuthority.open({ dir: args.caDir ?? defaultCaDir() });
    reportCaNotices(authority);
    const ca = trustedCa(authority);
    const keptReplacing = await existingCaFiles(process.env, REPLACING_VARIABLES, ca);
    const keptAdding = await existingCaFiles(process.env, ADDING_VARIABLES, ca);
    const bundle = await writeCombinedBundle(ca, authority.dir, '/', keptReplacing);
    const extra = await writeExtraCaFile(ca, authority.dir, keptAdding);
    console.log(`# devtls CA: ${ca.certPath}`);
    const keptPaths = (files: typeof keptReplacing): string[] => [...new Set(files.map((file) => file.path))].filter((path) => path !== bundle.systemBundle);
    const added = keptPaths(keptReplacing).map((path) => ` + ${path}`).join('');
    console.log(`# ${bundle.path}: ${bundle.systemBundle ?? 'no system bundle found'}${added} + the devtls CA; run ${invocation()} env again after system CA updates`);
    if (keptAdding.length > 0) console.log(`# ${extra}: ${[...new Set(keptAdding.map((file) => file.path))].join(' + ')} (already set in this shell) + the devtls CA`);
    for (const variable of clientVariables(ca, bundle.path, extra)) console.log(formatVariable(variable, args.shell));
    const { hosts, note } = await routedHosts(args.config);
    if (note !== undefined) console.log(`# ${note}`);
    const noProxy = mergedNoProxy(currentNoProxy(process.env), noProxyEntries(hosts));
    for (const name of ['NO_PROXY', 'no_proxy']) {
      console.log(formatVariable({ name, value: noProxy, note: 'devtls names go direct, never to HTTPS_PROXY/HTTP_PROXY (existing entries kept)' }, args.shell));
    }
  },
};
