/**
 * `devtls hosts`: the hosts-file lines the routed names need where the system resolver does
 * not send them to loopback, and the edit that adds or removes devtls's block. Writing a
 * file this user may not write goes through one elevated `cp`, shown before it runs.
 */
import { access, constants, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigBytes, readConfigFile } from '../config/load-config.js';
import { UserError } from '../errors.js';
import { HostsFileError, blockNames, loopbackLines, withBlock, withoutBlock } from '../hosts/hosts-file.js';
import { namesNeedingHostsLines, resolveHosts, type Resolver } from '../hosts/name-resolution.js';
import { assertSucceeded, type CommandRunner } from '../trust/command-runner.js';

export interface NeededLines {
  /** Routed names the resolver does not send to loopback (and a hosts file can). */
  names: string[];
  lines: string[];
  /** Wildcard hosts that do not resolve: a hosts file cannot hold them. */
  wildcards: string[];
}

export async function neededHostsLines(configFile: string, resolver: Resolver): Promise<NeededLines> {
  const contents = await readConfigFile(configFile);
  const { config } = parseConfigBytes(contents.bytes, contents.shownName, contents.absolute);
  const hosts = [...new Set(config.routes.map((route) => route.host))];
  const resolutions = await resolveHosts(hosts, resolver);
  const names = namesNeedingHostsLines(resolutions);
  const wildcards = resolutions.filter((resolution) => !resolution.loopback && resolution.host.startsWith('*.')).map((resolution) => resolution.host);
  return { names, lines: loopbackLines(names), wildcards };
}

async function readHostsText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new UserError(`Cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, { code: 'EHOSTS_READ' });
  }
}

export interface HostsEdit {
  file: string;
  changed: boolean;
  /** Commands that run with admin rights (empty when this user may write the file). */
  adminSteps: string[];
  apply(): Promise<void>;
  /** Drop the staged copy without applying. */
  discard(): Promise<void>;
}

/** Stage an edit of the hosts file: the new text, and how it will be written. */
export async function prepareHostsEdit(file: string, change: 'write' | 'remove', names: readonly string[], runner: CommandRunner): Promise<HostsEdit> {
  const before = await readHostsText(file);
  let after: string;
  try {
    after = change === 'remove' ? withoutBlock(before) : withBlock(before, loopbackLines([...new Set([...blockNames(before), ...names])]));
  } catch (error) {
    if (!(error instanceof HostsFileError)) throw error;
    throw new UserError(`${file}: ${error.message}, so devtls will not edit it.`, { hint: `Open ${file} and remove the incomplete devtls block by hand.`, code: 'EHOSTS_BLOCK' });
  }
  const changed = after !== before;
  const writable = await access(file, constants.W_OK).then(() => true, (error: NodeJS.ErrnoException) => error.code === 'ENOENT');
  if (!changed || writable) {
    return { file, changed, adminSteps: [], apply: async () => (changed ? writeFile(file, after) : undefined), discard: async () => {} };
  }
  // Copy over the file (not rename): keeps its owner, mode and inode (a bind-mounted /etc/hosts).
  const staging = await mkdtemp(join(tmpdir(), 'devtls-hosts-'));
  const staged = join(staging, 'hosts');
  await writeFile(staged, after, { mode: 0o644 });
  const copy = ['cp', staged, file];
  const discard = () => rm(staging, { recursive: true, force: true });
  return {
    file,
    changed,
    adminSteps: [copy.join(' ')],
    apply: async () => {
      try {
        assertSucceeded(copy, await runner.run(copy, { elevated: true }));
      } finally {
        await discard();
      }
    },
    discard,
  };
}
