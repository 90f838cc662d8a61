/** The options of `devtls run` that take a value (run-command.ts): the word after each is theirs. */
const VALUE_OPTIONS = new Set(['--name', '--https-port', '--http-port', '--ca-dir', '--log']);

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
    index += VALUE_OPTIONS.has(word) ? 2 : 1;
  }
  return { devtls: argv.slice(0, index), command: argv.slice(index) };
}
