import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { detectProjectRoute } from '../config/project-detection.js';
import { readProjectFolder } from '../config/read-project-folder.js';
import { starterConfigText } from '../config/starter-config.js';
import { UserError } from '../errors.js';
import { invocation } from '../invocation.js';

interface InitArgs {
  config: string;
  force: boolean;
}

export const initCommand: CommandDefinition<InitArgs> = {
  builder: (yargs: Argv) =>
    yargs
      .option('config', { alias: 'c', type: 'string', requiresArg: true, default: 'proxy.config.json', describe: 'File to write' })
      .option('force', { type: 'boolean', default: false, describe: 'Replace an existing file' }) as unknown as Argv<InitArgs>,
  handler: async (args) => {
    const file = resolve(args.config);
    const project = detectProjectRoute(await readProjectFolder(dirname(file)));
    const text = project === undefined ? starterConfigText() : starterConfigText({ routes: [{ host: project.host, target: project.devServer.port }] });
    try {
      await writeFile(file, text, { flag: args.force ? 'w' : 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new UserError(`${args.config} already exists; devtls init leaves it as it is.`, { hint: `Edit it, or run ${invocation()} init --force to replace it.` });
      }
      throw error;
    }
    if (project === undefined) {
      console.log(`No dev server recognised in ${dirname(file)} (devtls looks at package.json scripts and dependencies, Gemfile, manage.py), so ${file} has example routes.`);
      console.log(`Edit its routes, then run: ${invocation()} up`);
      return;
    }
    const { framework, port, evidence } = project.devServer;
    console.log(`Found ${framework} (${evidence}): its dev server listens on port ${port}.`);
    console.log(`Wrote ${file}: https://${project.host} → http://localhost:${port}`);
    console.log(`Start your dev server, then run: ${invocation()} up`);
  },
};
