import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { UserError } from '../errors.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { defaultCaDir } from '../pki/ca-location.js';
import { currentEnvironment, type TrustEnvironment, type TrustStore } from '../trust/store-contract.js';
import { STORE_SELECTIONS, WSL_NOTE, applyToStores, checkStores, detectStores, isWsl, type StoreOutcome, type StoreSelection } from '../trust/all-stores.js';
import { trustedCa, type TrustedCa } from '../trust/trusted-ca.js';
import { invocation } from '../invocation.js';
import { paint } from './terminal.js';
import { reportCaNotices, reportCaOpened } from './ca-report.js';
import { caOptions } from './shared-options.js';

export interface StoreArgs {
  caDir: string | undefined;
  store: StoreSelection;
  keychain: 'login' | 'system';
}

interface TrustArgs extends StoreArgs {
  check: boolean;
}

/** --store and --keychain, shared by trust and untrust. */
export function storeOptions<T>(yargs: Argv<T>) {
  return caOptions(yargs)
    .option('store', {
      type: 'string',
      requiresArg: true,
      choices: STORE_SELECTIONS,
      default: 'all',
      describe: 'Which stores: the system store, the NSS databases of Chrome/Chromium and Firefox, both (all), or the Windows store from WSL',
    })
    .option('keychain', { type: 'string', requiresArg: true, choices: ['login', 'system'], default: 'login', describe: 'macOS only: the login keychain, or the System keychain (admin rights)' });
}

/** The environment the store tools run in; steps that need sudo are listed first by explainAdminSteps. */
export function trustEnvironment(): Promise<TrustEnvironment> {
  return currentEnvironment();
}

export function printOutcomes(outcomes: readonly StoreOutcome[]): void {
  for (const outcome of outcomes) {
    console.log(`${outcome.store.label}: ${outcome.ok ? outcome.message : paint('red', outcome.message)}`);
    if (outcome.hint !== undefined) console.log(`  ${outcome.hint}`);
  }
}

/** Before any step that needs admin rights: say which commands, and that only those run elevated. */
export function explainAdminSteps(env: TrustEnvironment, ca: TrustedCa, stores: readonly TrustStore[], action: 'install' | 'uninstall'): void {
  for (const store of stores) {
    const steps = store.adminSteps(ca, action);
    if (steps.length === 0) continue;
    const how = env.isRoot ? 'as root' : 'with sudo (it may ask for your password)';
    console.log(`${store.label} needs admin rights; devtls runs only these steps ${how}:`);
    for (const step of steps) console.log(`  ${env.isRoot ? '' : 'sudo '}${step}`);
  }
}

export function noStoresError(selection: StoreSelection, env: TrustEnvironment): UserError {
  return new UserError(`No ${selection === 'all' ? '' : `${selection} `}trust store found on this machine.`, {
    hint:
      selection === 'windows'
        ? 'The Windows store is reached from WSL or Windows only.'
        : env.platform === 'linux'
          ? `Supported: Debian/Ubuntu, Fedora/RHEL, openSUSE, Arch, and NSS databases (Chrome/Chromium, Firefox). Try --store nss, or see ${invocation()} env.`
          : `See ${invocation()} env for clients that take the CA from an environment variable.`,
    code: 'ETRUST_NO_STORE',
  });
}

export function wslNote(env: TrustEnvironment, selection: StoreSelection): void {
  if (selection === 'windows' || !isWsl(env.procVersion)) return;
  console.log(`${WSL_NOTE} To trust the CA there too: ${invocation()} trust --store windows (runs certutil.exe -user -addstore Root).`);
}

export const trustCommand: CommandDefinition<TrustArgs> = {
  builder: (yargs: Argv) =>
    storeOptions(yargs)
      .option('check', { type: 'boolean', default: false, describe: 'Only report, one line per store; exit 0 only if every store trusts the CA' })
      .example('$0 trust', 'the system store and every NSS database found')
      .example('$0 trust --store nss', 'only Chrome/Chromium and Firefox (no admin rights needed)')
      .example('$0 trust --check', 'system: trusted / nss ~/.pki/nssdb: not trusted …') as unknown as Argv<TrustArgs>,
  handler: async (args) => {
    const env = await trustEnvironment();
    const dir = args.caDir ?? defaultCaDir();
    if (args.check) {
      const loaded = await CertificateAuthority.load(dir);
      reportCaNotices(loaded);
      const ca = trustedCa(loaded);
      const stores = await detectStores(env, args.store, { keychain: args.keychain });
      if (stores.length === 0) throw noStoresError(args.store, env);
      const outcomes = await checkStores(ca, stores);
      printOutcomes(outcomes);
      wslNote(env, args.store);
      const missing = outcomes.filter((outcome) => !outcome.ok).length;
      if (missing > 0) {
        throw new UserError(`The CA (${ca.certPath}) is not trusted by ${missing} of ${outcomes.length} store${outcomes.length === 1 ? '' : 's'}.`, {
          hint: `Run: ${invocation()} trust${args.store === 'all' ? '' : ` --store ${args.store}`}`,
          code: 'ETRUST_NOT_TRUSTED',
        });
      }
      return;
    }
    const { ca: authority, created } = await CertificateAuthority.open({ dir });
    reportCaOpened(authority, created);
    const ca = trustedCa(authority);
    const stores = await detectStores(env, args.store, { keychain: args.keychain, createNss: true });
    if (stores.length === 0) throw noStoresError(args.store, env);
    console.log(`Trusting ${ca.commonName} (${ca.certPath}, SHA-256 ${ca.sha256.slice(0, 16)}…):`);
    explainAdminSteps(env, ca, stores, 'install');
    const outcomes = await applyToStores(ca, stores, 'install');
    printOutcomes(outcomes);
    wslNote(env, args.store);
    const failed = outcomes.filter((outcome) => !outcome.ok).length;
    if (failed > 0) {
      throw new UserError(`Could not add the CA to ${failed} of ${outcomes.length} store${outcomes.length === 1 ? '' : 's'} (above).`, { code: 'ETRUST_FAILED' });
    }
    console.log(`Done. Restart the browser if it was open; Node.js and some other tools need: ${invocation()} env`);
  },
};
