import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { defaultCaDir } from '../pki/ca-location.js';
import { PRIVATE_FILE_MODE, ensurePrivateDir, writeFileAtomic } from '../pki/secure-files.js';
import { caOptions } from './shared-options.js';

interface CertArgs {
  hosts: string[];
  out: string;
  caDir: string | undefined;
}

export const certCommand: CommandModule<object, CertArgs> = {
  command: 'cert <hosts..>',
  describe: 'Write a certificate and key for other tools (Vite, webpack, nginx…)',
  builder: (yargs: Argv) =>
    caOptions(yargs)
      .positional('hosts', { type: 'string', array: true, demandOption: true, describe: 'Host names or IP addresses the certificate covers' })
      .option('out', { alias: 'o', type: 'string', default: '.', describe: 'Folder to write HOST.pem and HOST-key.pem into' })
      .example('$0 cert app.localhost 127.0.0.1', 'app.localhost.pem + app.localhost-key.pem') as unknown as Argv<CertArgs>,
  handler: async (args) => {
    const { ca, created } = await CertificateAuthority.open({ dir: args.caDir ?? defaultCaDir() });
    if (created) console.log(`Created a local certificate authority in ${ca.dir}`);
    const names = args.hosts.map((host) => String(host).toLowerCase());
    const leaf = await ca.issueLeafCertificate(names);
    const out = resolve(args.out);
    await ensurePrivateDir(out);
    const base = (names[0] as string).replace(/\*/g, '_wildcard').replace(/[^a-z0-9._-]/g, '_');
    const certPath = join(out, `${base}.pem`);
    const keyPath = join(out, `${base}-key.pem`);
    await writeFileAtomic(certPath, leaf.certPem, 0o644);
    await writeFileAtomic(keyPath, leaf.keyPem, PRIVATE_FILE_MODE);
    console.log(`Certificate for ${names.join(', ')}, valid until ${leaf.notAfter.toISOString().slice(0, 10)}:`);
    console.log(`  ${certPath}`);
    console.log(`  ${keyPath}   (private key, mode 600)`);
  },
};
