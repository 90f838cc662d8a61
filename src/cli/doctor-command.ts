import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { runDoctor, type DoctorCheck } from '../app/doctor.js';
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { tryConnect } from '../instance/start-instance.js';
import { defaultStateDir, statePaths } from '../instance/state-dir.js';
import { invocation } from '../invocation.js';
import { defaultCaDir } from '../pki/ca-location.js';
import { paint } from './terminal.js';
import { caOptions, portOption } from './shared-options.js';
import { trustEnvironment } from './trust-command.js';

interface DoctorArgs {
  config: string;
  caDir: string | undefined;
  json: boolean;
  runningPort: number | undefined;
  hostsFile: string | undefined;
}

const MARK = { ok: ['green', '✔'], warn: ['yellow', '⚠'], fail: ['red', '✘'] } as const;

function printCheck(check: DoctorCheck): void {
  const [style, mark] = MARK[check.status];
  console.log(`${paint(style, mark)} ${check.message}`);
  if (check.status !== 'ok' && check.fix !== '') {
    const [first, ...rest] = check.fix.split('\n');
    console.log(`  fix: ${first}`);
    for (const line of rest) console.log(`  ${line}`);
  }
}

/** The HTTPS port of this user's running devtls instance, when it uses this CA folder. */
async function runningInstancePort(caDir: string): Promise<number | undefined> {
  const connection = await tryConnect(statePaths(defaultStateDir()));
  if (connection === undefined) return undefined;
  try {
    const reply = await connection.request({ type: 'status' });
    return reply.type === 'status' && resolve(reply.instance.caDir) === resolve(caDir) ? reply.instance.httpsPort : undefined;
  } catch {
    return undefined;
  } finally {
    connection.close();
  }
}

export const doctorCommand: CommandDefinition<DoctorArgs> = {
  builder: (yargs: Argv) =>
    caOptions(yargs)
      .option('config', { alias: 'c', type: 'string', default: 'proxy.config.json', describe: 'The routes file' })
      .option('json', { type: 'boolean', default: false, describe: 'Print {"ok", "checks": [{"id", "status", "message", "fix"}]}' })
      .option('running-port', { ...portOption, describe: 'HTTPS port of a devtls already running [default: the running instance\'s (devtls status), or the config\'s if devtls answers there; else a throwaway server]' })
      .option('hosts-file', { type: 'string', describe: 'Hosts file read before the system resolver [default: the system resolver alone]' })
      .example('$0 doctor', '✔/⚠/✘ per check, each ✘ with its fix; exit 0 when nothing is ✘') as unknown as Argv<DoctorArgs>,
  handler: async (args) => {
    const caDir = args.caDir ?? defaultCaDir();
    const runningPort = args.runningPort ?? (await runningInstancePort(caDir));
    const report = await runDoctor({
      configFile: args.config,
      caDir,
      flags: {
        ...(args.caDir === undefined ? {} : { caDir: args.caDir }),
        ...(args.config === 'proxy.config.json' ? {} : { config: args.config }),
        ...(args.hostsFile === undefined ? {} : { hostsFile: args.hostsFile }),
      },
      trustEnv: await trustEnvironment(),
      ...(runningPort === undefined ? {} : { runningPort }),
      ...(args.hostsFile === undefined ? {} : { hostsFile: args.hostsFile }),
    });
    if (args.json) console.log(JSON.stringify(report, null, 2));
    else for (const check of report.checks) printCheck(check);
    const failed = report.checks.filter((check) => check.status === 'fail').length;
    const warned = report.checks.filter((check) => check.status === 'warn').length;
    if (failed > 0) {
      throw new UserError(`${failed} check${failed === 1 ? '' : 's'} failed${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}: apply each fix above, then run ${invocation()} doctor again.`, { code: 'EDOCTOR' });
    }
    if (!args.json) console.log(`All checks passed${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}.`);
  },
};
