/**
 * The hosts file as text: read the addresses it gives a name, and add or remove devtls's
 * own block (between `# devtls begin` and `# devtls end`). Pure functions over strings, so
 * every other line of the file comes back byte for byte.
 */
import { isIpLiteral } from '../pki/host-names.js';

export const BLOCK_BEGIN = '# devtls begin';
export const BLOCK_END = '# devtls end';

export interface HostsEntry {
  address: string;
  names: string[];
}

/** The address lines of a hosts file (comments and blank lines skipped; names lower-cased). */
export function parseHostsFile(text: string): HostsEntry[] {
  const entries: HostsEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const [address, ...names] = line.split(/\s+/);
    if (address === undefined || names.length === 0 || !isIpLiteral(address)) continue;
    entries.push({ address, names: names.map((name) => name.toLowerCase()) });
  }
  return entries;
}

/** Every address the file gives `name`, in file order. */
export function addressesIn(text: string, name: string): string[] {
  const wanted = name.toLowerCase();
  return parseHostsFile(text)
    .filter((entry) => entry.names.includes(wanted))
    .map((entry) => entry.address);
}

/** The lines that send each name to loopback, over IPv4 and IPv6 (devtls listens on both). */
export function loopbackLines(names: readonly string[]): string[] {
  return names.flatMap((name) => [`127.0.0.1 ${name}`, `::1 ${name}`]);
}

interface BlockPosition {
  /** Index of the begin marker line and of the end marker line. */
  begin: number;
  end: number;
}

function splitLines(text: string): { lines: string[]; eol: string; finalEol: boolean } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const finalEol = text === '' || text.endsWith('\n');
  const body = finalEol && text !== '' ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
  return { lines: body === '' ? [] : body.split(/\r?\n/), eol, finalEol };
}

function findBlock(lines: readonly string[]): BlockPosition | undefined {
  const begin = lines.findIndex((line) => line.trim() === BLOCK_BEGIN);
  if (begin < 0) return undefined;
  const end = lines.findIndex((line, index) => index > begin && line.trim() === BLOCK_END);
  if (end < 0) throw new HostsFileError(`the hosts file has "${BLOCK_BEGIN}" without "${BLOCK_END}"`);
  return { begin, end };
}

/** A hosts file devtls will not edit, because its block is not whole. */
export class HostsFileError extends Error {}

/** The lines inside devtls's block ([] when there is none). */
export function readBlock(text: string): string[] {
  const { lines } = splitLines(text);
  const block = findBlock(lines);
  return block === undefined ? [] : lines.slice(block.begin + 1, block.end);
}

/** The text with devtls's block holding exactly `blockLines`: replaced where it was, else
 * appended; no block at all when `blockLines` is empty. Other lines are untouched. */
export function withBlock(text: string, blockLines: readonly string[]): string {
  const { lines, eol } = splitLines(text);
  const block = findBlock(lines);
  const inserted = blockLines.length === 0 ? [] : [BLOCK_BEGIN, ...blockLines, BLOCK_END];
  let result: string[];
  if (block !== undefined) {
    result = [...lines.slice(0, block.begin), ...inserted, ...lines.slice(block.end + 1)];
  } else {
    result = [...lines, ...inserted];
  }
  if (result.length === 0) return '';
  return `${result.join(eol)}${eol}`;
}

/** The text without devtls's block (exactly the marker lines and what is between them). */
export function withoutBlock(text: string): string {
  const { lines, eol, finalEol } = splitLines(text);
  const block = findBlock(lines);
  if (block === undefined) return text;
  const result = [...lines.slice(0, block.begin), ...lines.slice(block.end + 1)];
  if (result.length === 0) return '';
  return `${result.join(eol)}${finalEol ? eol : ''}`;
}

/** Names in the block's lines (for merging a new block with the one already there). */
export function blockNames(text: string): string[] {
  return [...new Set(parseHostsFile(readBlock(text).join('\n')).flatMap((entry) => entry.names))];
}
