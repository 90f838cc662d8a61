import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { neededHostsLines, prepareHostsEdit } from '../app/hosts-entries.js';
import { UserError } from '../errors.js';
import { BLOCK_BEGIN, BLOCK_END } from '../hosts/hosts-file.js';
import { defaultHostsFile, resolverWithHostsFile, systemResolver } from '../hosts/name-resolution.js';
import { trustEnvironment } from './trust-command.js';

interface HostsArgs {
  config: string;
  write: boolean;
  remove: boolean;
  hostsFile: string | undefined;
}

export const hostsCommand: CommandDefinition<HostsArgs> = {
  builder: (yargs: Argv) =>
    yargs
      .option('config', { alias: 'c', type: 'string', default: 'proxy.config.json', describe: 'The routes file' })
      .option('write', { type: 'boolean', default: false, describe: `Add the lines between "${BLOCK_BEGIN}" and "${BLOCK_END}" (with sudo where needed)` })
      .option('remove', { type: 'boolean', default: false, describe: 'Take exactly that block out' })
      .option('hosts-file', { type: 'string', describe: 'The hosts file to read and edit [default: /etc/hosts, read through the system resolver]' })
      .example('$0 hosts', '127.0.0.1 app.test / ::1 app.test, for each name that does not resolve to loopback')
      .example('$0 hosts --write', 'add them to /etc/hosts (sudo where needed, shown first)') as unknown as Argv<HostsArgs>,
  handler: async (args) => {
    if (args.write && args.remove) throw new UserError('Give --write or --remove, not both.', { code: 'EUSAGE' });
    const file = args.hostsFile ?? defaultHostsFile();
    const resolver = args.hostsFile === undefined ? systemResolver : resolverWithHostsFile(args.hostsFile);
    const needed = args.remove ? { names: [], lines: [], wildcards: [] } : await neededHostsLines(args.config, resolver);
    for (const wildcard of needed.wildcards) {
      console.error(`note: ${wildcard} does not resolve to loopback and a hosts file cannot hold a wildcard: add a line per name you use under it.`);
    }
    if (!args.write && !args.remove) {
      if (needed.lines.length === 0) console.error('Every routed name already resolves to loopback: no hosts-file lines needed.');
      for (const line of needed.lines) console.log(line);
      return;
    }
    const env = await trustEnvironment();
    const edit = await prepareHostsEdit(file, args.write ? 'write' : 'remove', needed.names, env.runner);
    if (!edit.changed) {
      console.log(args.write ? `${file} already has every line needed.` : `${file} has no devtls block.`);
      return;
    }
    if (edit.adminSteps.length > 0) {
      const how = env.isRoot ? 'as root' : 'with sudo (it may ask for your password)';
      console.log(`${file} needs admin rights; devtls runs only this step ${how}:`);
      for (const step of edit.adminSteps) console.log(`  ${env.isRoot ? '' : 'sudo '}${step}`);
    }
    try {
      await edit.apply();
    } catch (error) {
      await edit.discard();
      if (error instanceof UserError) throw error;
      throw new UserError(`Could not write ${file}: ${(error as Error).message}`, { code: 'EHOSTS_WRITE' });
    }
    console.log(args.write ? `Added ${needed.names.join(', ') || 'no new names'} to ${file} (between "${BLOCK_BEGIN}" and "${BLOCK_END}").` : `Removed the devtls block from ${file}.`);
  },
};
