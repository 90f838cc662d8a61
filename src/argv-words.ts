/**
 * How the quick command-line readers (cli/up-argv.ts, cli/run-argv.ts,
 * instance/instance-args.ts) take words, so all refuse what yargs would read differently and
 * leave it to yargs.
 */

/** What yargs would take as an option's value: present, and not itself an option. */
export function optionValue(word: string | undefined): string | undefined {
  return word === undefined || word === '' || word.startsWith('-') ? undefined : word;
}

/** A port as yargs reads it with parse-numbers off and devtls checks it: 0–65535 in decimal digits. */
export function portNumber(word: string | undefined): number | undefined {
  if (word === undefined || !/^\d{1,5}$/.test(word)) return undefined;
  const number = Number(word);
  return number <= 65535 ? number : undefined;
}

/**
 * `value` for one of the value options `up` and `run` read alike, as yargs gives it to their
 * handlers: --https-port and --http-port as port numbers, --log as text or json, the rest as
 * given. Undefined: yargs would refuse it (or read it otherwise).
 */
export function commandOptionValue(key: string, value: string): string | number | undefined {
  if (key === 'httpsPort' || key === 'httpPort') return portNumber(value);
  if (key === 'log') return value === 'text' || value === 'json' ? value : undefined;
  return value;
}
