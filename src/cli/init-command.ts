import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { starterConfigText } from '../config/starter-config.js';
import { UserError } from '../errors.js';

interface InitArgs {
  config: string;
  force: boolean;
}

export const initCommand: CommandModule<object, InitArgs> = {
  command: 'init',
  describe: 'Write a starter proxy.config.json here',
  builder: (yargs: Argv) =>
    yargs
      .option('config', { alias: 'c', type: 'string', default: 'proxy.config.json', describe: 'File to write' })
      .option('force', { type: 'boolean', default: false, describe: 'Replace an existing file' }) as unknown as Argv<InitArgs>,
  handler: async (args) => {
    const file = resolve(args.config);
    try {
      await writeFile(file, starterConfigText(), { flag: args.force ? 'w' : 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new UserError(`${args.config} already exists; devtls init leaves it as it is.`, { hint: 'Edit it, or run devtls init --force to replace it.' });
      }
      throw error;
    }
    console.log(`Wrote ${file}. Edit its routes, then run: devtls up`);
  },
};
