import { commandOptionValue, optionValue } from '../argv-words.js';

type RunValueKey = 'name' | 'httpsPort' | 'httpPort' | 'caDir' | 'log';

/** The options of `devtls run` that take a value (run-command.ts): the word after each is theirs. */
const RUN_VALUES: Readonly<Record<string, RunValueKey>> = {
  '--name': 'name',
  '--https-port': 'httpsPort',
  '--http-port': 'httpPort',
  '--ca-dir': 'caDir',
  '--log': 'log',
};

/**
 * `devtls run` options end where COMMAND begins (at `--` or the first word that is not an
 * option), so COMMAND's own flags (`vite --port 3000`) are never taken for devtls's, and its
 * arguments reach it exactly as typed. Returns the part for yargs and COMMAND with its arguments.
 */
export function splitRunArgv(argv: readonly string[]): { devtls: string[]; command: string[] } {
  if (argv[0] !== 'run') return { devtls: [...argv], command: [] };
  let index = 1;
  while (index < argv.length) {
    const word = argv[index] as string;
    if (word === '--') return { devtls: argv.slice(0, index), command: argv.slice(index + 1) };
    if (!word.startsWith('-')) break;
    index += RUN_VALUES[word] !== undefined ? 2 : 1;
  }
  return { devtls: argv.slice(0, index), command: argv.slice(index) };
}

/** `devtls run`'s own options, as its handler gets them. */
export interface RunArgs {
  name: string | undefined;
  httpsPort: number | undefined;
  httpPort: number | undefined;
  caDir: string | undefined;
  quiet: boolean;
  log: 'text' | 'json';
}

/**
 * `run`'s options and COMMAND from `argv` (which starts with `run`) in its usual forms, read
 * without loading yargs, as up-argv.ts does for `up`: each option given once, as separate
 * words, with a value yargs takes as it is. Anything else (help, `--flag=value`, a repeated or
 * unknown option, no COMMAND) returns undefined and goes through yargs, which explains it.
 * test/cli/run-argv.test.ts checks that every line read here gives what yargs gives.
 */
export function readRunArgs(argv: readonly string[]): { args: RunArgs; command: string[] } | undefined {
  if (argv[0] !== 'run') return undefined;
  const { devtls, command } = splitRunArgv(argv);
  if (command.length === 0) return undefined;
  const args: RunArgs = { name: undefined, httpsPort: undefined, httpPort: undefined, caDir: undefined, quiet: false, log: 'text' };
  const seen = new Set<string>();
  for (let at = 1; at < devtls.length; at++) {
    const word = devtls[at] as string;
    if (word === '--quiet' || word === '-q') {
      if (seen.has('quiet')) return undefined;
      seen.add('quiet');
      args.quiet = true;
      continue;
    }
    const key = RUN_VALUES[word];
    const value = optionValue(devtls[at + 1]);
    if (key === undefined || value === undefined || seen.has(key)) return undefined;
    seen.add(key);
    at += 1;
    const typed = commandOptionValue(key, value);
    if (typed === undefined) return undefined;
    Object.assign(args, { [key]: typed });
  }
  return { args, command };
}
