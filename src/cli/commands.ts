import type { CommandModule } from 'yargs';

/**
 * Every devtls command, in the order `--help` lists them: what help shows for it, and how to
 * load it. The command line loads only the module of the command being run, so `devtls up`
 * reads none of the proxy's code (the shared instance runs it) and the instance's
 * `devtls serve` none of the config, watch or trust code.
 */
export interface CommandEntry {
  readonly name: string;
  /** yargs's command string: the name and its positionals. */
  readonly command: string;
  readonly describe: string;
  /** How a usage message shows the command (default: `command`). */
  readonly usage?: string;
  /** The options and handler; `runWords` is what follows `devtls run`'s options. */
  load(runWords: readonly string[]): Promise<CommandModule>;
}

/** A command's options and handler; its name and description are in COMMANDS. */
export type CommandDefinition<Args> = Omit<CommandModule<object, Args>, 'command' | 'describe'>;

const loaded = <Args>(module: Promise<CommandDefinition<Args>>): Promise<CommandModule> => module as unknown as Promise<CommandModule>;

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'up',
    command: 'up',
    describe: 'Serve the routes in proxy.config.json over HTTPS (joining the devtls already running for other projects)',
    load: () => loaded(import('./up-command.js').then((m) => m.upCommand)),
  },
  {
    name: 'status',
    command: 'status',
    describe: 'Show the running devtls: its ports, CA and every project with its routes',
    load: () => loaded(import('./status-command.js').then((m) => m.statusCommand)),
  },
  {
    name: 'stop',
    command: 'stop',
    describe: 'Stop the running devtls at once; every attached devtls up says why and exits',
    load: () => loaded(import('./stop-command.js').then((m) => m.stopCommand)),
  },
  {
    name: 'serve',
    command: 'serve',
    describe: 'Run the shared devtls instance in the foreground (for containers and service managers); projects join it with devtls up',
    load: () => loaded(import('./serve-command.js').then((m) => m.serveCommand)),
  },
  {
    name: 'init',
    command: 'init',
    describe: "Write a proxy.config.json with a route for this project's dev server",
    load: () => loaded(import('./init-command.js').then((m) => m.initCommand)),
  },
  {
    name: 'cert',
    command: 'cert <hosts..>',
    describe: 'Write a certificate and key for other tools (Vite, webpack, nginx…)',
    load: () => loaded(import('./cert-command.js').then((m) => m.certCommand)),
  },
  {
    name: 'ca',
    command: 'ca',
    describe: 'Show where the local CA is and its fingerprint (creating it if needed)',
    load: () => loaded(import('./ca-command.js').then((m) => m.caCommand)),
  },
  {
    name: 'trust',
    command: 'trust',
    describe: 'Add the local CA to the trust stores (system, Chrome/Chromium, Firefox); --check reports them',
    load: () => loaded(import('./trust-command.js').then((m) => m.trustCommand)),
  },
  {
    name: 'untrust',
    command: 'untrust',
    describe: 'Remove exactly this local CA (by name and fingerprint) from the trust stores',
    load: () => loaded(import('./untrust-command.js').then((m) => m.untrustCommand)),
  },
  {
    name: 'env',
    command: 'env',
    describe: 'Print shell lines that make Node.js, Python, Deno, curl and git trust the local CA and bypass proxies for devtls names',
    load: () => loaded(import('./env-command.js').then((m) => m.envCommand)),
  },
  {
    name: 'export',
    command: 'export <format>',
    describe: 'Write the routes as a config for Caddy, nginx or Kubernetes (Gateway API)',
    load: () => loaded(import('./export-command.js').then((m) => m.exportCommand)),
  },
  {
    name: 'doctor',
    command: 'doctor',
    describe: 'Check that every program on this machine reaches devtls and trusts it, with the fix for each problem',
    load: () => loaded(import('./doctor-command.js').then((m) => m.doctorCommand)),
  },
  {
    name: 'hosts',
    command: 'hosts',
    describe: 'Print the hosts-file lines the routed names need; --write adds them, --remove takes them out',
    load: () => loaded(import('./hosts-command.js').then((m) => m.hostsCommand)),
  },
  {
    name: 'run',
    command: 'run',
    describe: 'Start a dev server on a free port and serve it at https://NAME.localhost',
    usage: 'run [options] [--] COMMAND [ARGS…]',
    load: (runWords) => loaded(import('./run-command.js').then((m) => m.runCommand(runWords))),
  },
];

export const COMMAND_NAMES: readonly string[] = COMMANDS.map((entry) => entry.name);

/**
 * The commands for yargs: those `wanted` loaded whole, the others only as what `--help`
 * shows of them (never run: yargs runs only the command named on the command line).
 */
export async function commandModules(wanted: (name: string) => boolean, runWords: readonly string[]): Promise<CommandModule[]> {
  return Promise.all(
    COMMANDS.map(async (entry) => {
      const shown = { command: entry.command, describe: entry.describe };
      return wanted(entry.name) ? { ...(await entry.load(runWords)), ...shown } : { ...shown, handler: notLoaded };
    }),
  );
}

/**
 * Which commands to load for these words: the one named first (`devtls up …`, the usual
 * form), every one a later word might name (`devtls --ca-dir DIR up`), or none when no word
 * names a command (`devtls --help`, `--version`).
 */
export function commandsToLoad(argv: readonly string[]): (name: string) => boolean {
  const first = argv[0];
  if (first !== undefined && COMMAND_NAMES.includes(first)) return (name) => name === first;
  const named = argv.some((word) => COMMAND_NAMES.includes(word));
  return () => named;
}

function notLoaded(): never {
  throw new Error('a command that was not loaded was run');
}
