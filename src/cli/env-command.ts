import type { Argv, CommandModule } from 'yargs';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { defaultCaDir } from '../pki/ca-location.js';
import { clientVariables, formatVariable, writeCombinedBundle, type Shell } from '../trust/client-env.js';
import { trustedCa } from '../trust/trusted-ca.js';
import { invocation } from '../invocation.js';
import { reportCaNotices } from './ca-report.js';
import { caOptions } from './shared-options.js';

interface EnvArgs {
  caDir: string | undefined;
  shell: Shell;
}

export const envCommand: CommandModule<object, EnvArgs> = {
  command: 'env',
  describe: 'Print shell lines that make Node.js, Python, Deno, curl and git trust the local CA',
  builder: (yargs: Argv) =>
    caOptions(yargs)
      .option('shell', { type: 'string', requiresArg: true, choices: ['sh', 'fish', 'powershell'], default: process.platform === 'win32' ? 'powershell' : 'sh', describe: 'Syntax of the lines' })
      .example('eval "$($0 env)"', 'in this shell (add it to ~/.bashrc or ~/.zshrc to keep it)') as unknown as Argv<EnvArgs>,
  handler: async (args) => {
    const { ca: authority } = await CertificateAuthority.open({ dir: args.caDir ?? defaultCaDir() });
    reportCaNotices(authority);
    const ca = trustedCa(authority);
    const bundle = await writeCombinedBundle(ca, authority.dir);
    console.log(`# devtls CA: ${ca.certPath}`);
    console.log(
      `# ${bundle.path}: ${bundle.systemBundle === undefined ? 'the devtls CA only (no system bundle found)' : `${bundle.systemBundle} + the devtls CA; run ${invocation()} env again after system CA updates`}`,
    );
    for (const variable of clientVariables(ca, bundle.path)) console.log(formatVariable(variable, args.shell));
  },
};
