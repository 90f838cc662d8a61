import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { defaultCaDir } from '../pki/ca-location.js';
import { reportCaNotices } from './ca-report.js';
import { caOptions } from './shared-options.js';

interface CaArgs {
  caDir: string | undefined;
  permit: string[] | undefined;
}

export const caCommand: CommandDefinition<CaArgs> = {
  builder: (yargs: Argv) =>
    caOptions(yargs).option('permit', {
      type: 'string',
      array: true,
      describe: 'Extra name the CA may sign for (only when it is created now), e.g. --permit corp.example',
    }) as unknown as Argv<CaArgs>,
  handler: async (args) => {
    const { ca, created } = await CertificateAuthority.open({
      dir: args.caDir ?? defaultCaDir(),
      ...(args.permit === undefined ? {} : { extraPermittedNames: args.permit }),
    });
    reportCaNotices(ca);
    if (!created && args.permit !== undefined) {
      console.error(`Note: --permit applies only when a CA is created; this one already exists and keeps its names.`);
    }
    console.log(`${created ? 'Created the' : 'The'} devtls CA:`);
    console.log(`  folder       ${ca.dir}`);
    console.log(`  certificate  ${ca.certPath}`);
    console.log(`  SHA-256      ${ca.fingerprintSha256}`);
    // Read from the CA certificate's own nameConstraints, so an older or custom CA shows its real scope.
    console.log(`  may sign     ${ca.policy.listScope()}`);
    console.log(`  expires      ${ca.notAfter.toISOString().slice(0, 10)}`);
  },
};
