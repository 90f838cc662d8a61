/**
 * How the quick command-line readers (cli/up-argv.ts, instance/instance-args.ts) take words,
 * so both refuse what yargs would read differently and leave it to yargs.
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
