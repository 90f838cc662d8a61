import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { UserError } from '../errors.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { defaultCaDir } from '../pki/ca-location.js';
import { applyToStores, detectStores } from '../trust/all-stores.js';
import { trustedCa } from '../trust/trusted-ca.js';
import { reportCaNotices } from './ca-report.js';
import { explainAdminSteps, noStoresError, printOutcomes, storeOptions, trustEnvironment, wslNote, type StoreArgs } from './trust-command.js';

export const untrustCommand: CommandDefinition<StoreArgs> = {
  builder: (yargs: Argv) =>
    storeOptions(yargs).example('$0 untrust --store nss', 'only Chrome/Chromium and Firefox') as unknown as Argv<StoreArgs>,
  handler: async (args) => {
    const env = await trustEnvironment();
    const loaded = await CertificateAuthority.load(args.caDir ?? defaultCaDir());
    reportCaNotices(loaded);
    const ca = trustedCa(loaded);
    const stores = await detectStores(env, args.store, { keychain: args.keychain });
    if (stores.length === 0) throw noStoresError(args.store, env);
    console.log(`Removing ${ca.commonName} (SHA-256 ${ca.sha256.slice(0, 16)}…):`);
    explainAdminSteps(env, ca, stores, 'uninstall');
    const outcomes = await applyToStores(ca, stores, 'uninstall');
    printOutcomes(outcomes);
    wslNote(env, args.store);
    const failed = outcomes.filter((outcome) => !outcome.ok).length;
    if (failed > 0) {
      throw new UserError(`Could not remove the CA from ${failed} of ${outcomes.length} store${outcomes.length === 1 ? '' : 's'} (above).`, { code: 'ETRUST_FAILED' });
    }
  },
};
