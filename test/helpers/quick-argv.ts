import type { ExecutionContext } from 'ava';

/**
 * For a quick command-line reader (up-argv.ts, run-argv.ts): every line it reads gives what
 * yargs gives (`throughYargs`: what yargs handed the handler, or its error), and exactly
 * `usual` of `lines` are read without yargs.
 */
export async function assertReadsAsYargs(
  t: ExecutionContext,
  lines: readonly string[][],
  quick: (argv: string[]) => object | undefined,
  throughYargs: (argv: string[]) => Promise<object | Error>,
  usual: number,
): Promise<void> {
  let read = 0;
  for (const argv of lines) {
    const quickly = quick(argv);
    if (quickly === undefined) continue;
    read += 1;
    const slow = await throughYargs(argv);
    if (slow instanceof Error) t.fail(`${argv.join(' ')}: yargs refused it (${slow.message}) but it was read without yargs`);
    else t.deepEqual(quickly, slow, argv.join(' '));
  }
  t.is(read, usual, 'the usual forms are read without yargs');
}
