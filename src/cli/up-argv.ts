/**
 * `devtls up`'s options, and their quick reading. `up` runs at every start of a project, so
 * its usual command lines (the options below, each given once, as separate words) are read
 * here without loading yargs (~25 ms of CPU: loading it, then rendering the whole help text it
 * keeps for errors). Anything else (--help, `--flag=value`, a repeated or unknown option, a
 * value yargs would refuse) returns undefined and goes through yargs, which explains it.
 * test/cli/up-argv.test.ts checks that every line read here gives what yargs gives.
 */
import { commandOptionValue, optionValue } from '../argv-words.js';

export interface UpArgs {
  config: string | undefined;
  httpsPort: number | undefined;
  httpPort: number | undefined;
  host: string[] | undefined;
  caDir: string | undefined;
  certsDir: string | undefined;
  watch: boolean;
  quiet: boolean;
  log: 'text' | 'json';
}

type ValueKey = 'config' | 'httpsPort' | 'httpPort' | 'host' | 'caDir' | 'certsDir' | 'log';

const VALUE_OPTIONS: Readonly<Record<string, ValueKey>> = {
  '--config': 'config',
  '-c': 'config',
  '--https-port': 'httpsPort',
  '--http-port': 'httpPort',
  '--host': 'host',
  '--ca-dir': 'caDir',
  '--certs-dir': 'certsDir',
  '--log': 'log',
};

const SWITCHES: Readonly<Record<string, readonly ['watch' | 'quiet', boolean]>> = {
  '--watch': ['watch', true],
  '--no-watch': ['watch', false],
  '--quiet': ['quiet', true],
  '-q': ['quiet', true],
};

/** `up`'s options from `argv` (which starts with `up`), or undefined for yargs to read. */
export function readUpArgs(argv: readonly string[]): UpArgs | undefined {
  if (argv[0] !== 'up') return undefined;
  const args: UpArgs = { config: undefined, httpsPort: undefined, httpPort: undefined, host: undefined, caDir: undefined, certsDir: undefined, watch: true, quiet: false, log: 'text' };
  const seen = new Set<string>();
  for (let at = 1; at < argv.length; at++) {
    const word = argv[at] as string;
    const toggle = SWITCHES[word];
    if (toggle !== undefined) {
      if (seen.has(toggle[0])) return undefined;
      seen.add(toggle[0]);
      args[toggle[0]] = toggle[1];
      continue;
    }
    const key = VALUE_OPTIONS[word];
    const value = optionValue(argv[at + 1]);
    // A value yargs would take for an option, or refuse: left to yargs.
    if (key === undefined || value === undefined) return undefined;
    at += 1;
    if (key === 'host') {
      args.host = [...(args.host ?? []), value];
      continue;
    }
    if (seen.has(key)) return undefined;
    seen.add(key);
    const typed = commandOptionValue(key, value);
    if (typed === undefined) return undefined;
    Object.assign(args, { [key]: typed });
  }
  return args;
}
