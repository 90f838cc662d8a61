import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { defaultCaDir } from '../pki/ca-location.js';
import { normalizeHostName } from '../pki/host-names.js';
import { ensureLeafDir, leafFilePaths, writeLeafFiles } from '../pki/leaf-files.js';
import { reportCaOpened } from './ca-report.js';
import { caOptions } from './shared-options.js';

interface CertArgs {
  hosts: string[];
  out: string;
  caDir: string | undefined;
}

export const certCommand: CommandDefinition<CertArgs> = {
  builder: (yargs: Argv) =>
    caOptions(yargs)
      .positional('hosts', { type: 'string', array: true, demandOption: true, describe: 'Host names or IP addresses the certificate covers' })
      .option('out', { alias: 'o', type: 'string', requiresArg: true, default: '.', describe: 'Folder to write HOST.pem and HOST-key.pem into' })
      .example('$0 cert app.localhost 127.0.0.1', 'app.localhost.pem + app.localhost-key.pem') as unknown as Argv<CertArgs>,
  handler: async (args) => {
    const { ca, created } = await CertificateAuthority.open({ dir: args.caDir ?? defaultCaDir() });
    reportCaOpened(ca, created);
    const names = args.hosts.map((host) => String(host).toLowerCase());
    const leaf = await ca.issueLeafCertificate(names);
    const out = resolve(args.out);
    // A folder created here ignores itself in git, like the certs/ folder of devtls up.
    const createdOut = await ensureLeafDir(out);
    const first = names[0] as string;
    const { certPath, keyPath } = leafFilePaths(out, normalizeHostName(first) ?? first);
    await writeLeafFiles({ certPath, keyPath }, leaf);
    console.log(`Certificate for ${names.join(', ')}, valid until ${leaf.notAfter.toISOString().slice(0, 10)}:`);
    console.log(`  ${certPath}`);
    console.log(`  ${keyPath}   (private key, mode 600${createdOut ? '; the folder is git-ignored' : ': keep it out of git'})`);
  },
};
