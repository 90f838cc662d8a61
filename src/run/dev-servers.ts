/**
 * Dev servers that ignore PORT, and host checks devtls cannot satisfy from outside. Given
 * the command (the tool itself, `npx tool`, or an npm/pnpm/yarn/bun script whose text runs
 * it), says which flags to add so the server listens where devtls routes, and which line
 * to add to the project's settings when its allow-list would refuse NAME.localhost.
 */

export interface DevServerPlan {
  /** The command's arguments with the tool's own port flags added (unchanged when none apply). */
  args: string[];
  /** The tool recognised, for the terminal (`Vite`), if any. */
  tool?: string;
  /** A port the command already names (`--port 5173` in the script): route there instead. */
  ownPort?: number;
  /** Set when the flags added carry the port (the tool ignores PORT). */
  portFlags?: true;
  /** Lines for the terminal: what to add where. */
  notes: string[];
}

interface Tool {
  name: string;
  /** Whether `bin args…` (after npx and env assignments are stripped) runs this tool's dev server. */
  runs(bin: string, args: readonly string[]): boolean;
  flags(port: number): string[];
  /** It reads PORT itself: its flags only keep it on loopback. */
  readsPort?: true;
  /** The line to add to the project when NAME.localhost is not allowed by default. */
  note?(host: string, url: string): string;
}

const first = (args: readonly string[]): string | undefined => args.find((arg) => !arg.startsWith('-'));
const viteFlags = (port: number): string[] => ['--port', String(port), '--strictPort', '--host', '127.0.0.1'];

const TOOLS: Tool[] = [
  { name: 'Vite', runs: (bin, args) => bin === 'vite' && !['build', 'optimize'].includes(first(args) ?? ''), flags: viteFlags },
  { name: 'React Router', runs: (bin, args) => bin === 'react-router' && first(args) === 'dev', flags: viteFlags },
  { name: 'Remix (Vite)', runs: (bin, args) => bin === 'remix' && first(args) === 'vite:dev', flags: viteFlags },
  { name: 'Astro', runs: (bin, args) => bin === 'astro' && first(args) === 'dev', flags: (port) => ['--port', String(port), '--host', '127.0.0.1'] },
  { name: 'Angular CLI', runs: (bin, args) => bin === 'ng' && ['serve', 's', 'dev'].includes(first(args) ?? ''), flags: (port) => ['--port', String(port), '--host', '127.0.0.1'] },
  {
    name: 'webpack-dev-server',
    runs: (bin, args) => bin === 'webpack-dev-server' || (bin === 'webpack' && ['serve', 's', 'server'].includes(first(args) ?? '')),
    flags: (port) => ['--port', String(port), '--host', '127.0.0.1'],
    note: (host) => `webpack-dev-server checks the Host header: if it answers "Invalid Host header", add to devServer in webpack.config.js: allowedHosts: ['${host}'],`,
  },
  { name: 'Storybook', runs: (bin, args) => (bin === 'storybook' && first(args) === 'dev') || bin === 'start-storybook', flags: (port) => ['--port', String(port), '--host', '127.0.0.1', '--ci'] },
  {
    name: 'Next.js',
    // `next dev` reads PORT itself, but listens on every interface (HOST is not its variable):
    // --hostname keeps it on loopback. Its cross-origin check allows only localhost by default.
    runs: (bin, args) => bin === 'next' && first(args) === 'dev',
    flags: () => ['--hostname', '127.0.0.1'],
    readsPort: true,
    note: (host) => `Next.js serves dev resources only to the origins it allows: add to next.config.js: allowedDevOrigins: ['${host}'],`,
  },
  {
    name: 'Django',
    runs: (bin, args) => (bin === 'manage.py' || bin.endsWith('/manage.py')) && first(args) === 'runserver',
    flags: (port) => [`127.0.0.1:${port}`],
    // ALLOWED_HOSTS allows .localhost while DEBUG is on; CSRF's origin check needs the https origin.
    note: (_host, url) => `Django checks the origin of forms: add to settings.py: CSRF_TRUSTED_ORIGINS = ["${url}"]`,
  },
];

const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
/** Package-manager commands that are not scripts (`pnpm install`, `yarn add`…). */
const PM_BUILTINS = new Set(['install', 'i', 'add', 'remove', 'exec', 'dlx', 'x', 'create', 'init', 'ci', 'update', 'upgrade', 'link', 'publish', 'pack']);

/**
 * The plan for `command args…` run in a folder whose package.json has `scripts`.
 * `host` is NAME.localhost; `url` the https URL devtls serves it at.
 */
export function planDevServer(command: string, args: readonly string[], scripts: Readonly<Record<string, unknown>>, port: number, host: string, url: string): DevServerPlan {
  const bin = baseName(command);
  const direct = stripRunners(bin, [...args]);
  if (direct !== undefined) {
    const tool = TOOLS.find((candidate) => candidate.runs(direct.bin, direct.args));
    if (tool !== undefined) return withTool(tool, [...args], direct.args, port, host, url, (flags) => [...args, ...flags]);
  }
  const script = scriptOf(bin, args, scripts);
  if (script === undefined) return { args: [...args], notes: [] };
  const segments = script.text.split(/&&|\|\||[;&|]/).map((segment) => segment.trim()).filter((segment) => segment !== '');
  for (let index = segments.length - 1; index >= 0; index--) {
    const words = commandWords(segments[index] as string);
    if (words.length === 0) continue;
    const found = stripRunners(baseName(words[0] as string), words.slice(1));
    const tool = found === undefined ? undefined : TOOLS.find((candidate) => candidate.runs(found.bin, found.args));
    if (tool === undefined || found === undefined) continue;
    if (index !== segments.length - 1 && tool.flags(port).length > 0) {
      // Flags given to the script would reach its last command, not this one.
      if (tool.readsPort === true) return { args: [...args], tool: tool.name, notes: notesOf(tool, host, url) };
      return { args: [...args], tool: tool.name, notes: [`the "${script.name}" script runs ${tool.name} before other commands, so devtls cannot pass it --port ${port}; make it listen on $PORT.`] };
    }
    // npm needs `--` before arguments meant for the script; pnpm, yarn and bun pass them on.
    const add = (flags: string[]): string[] => (bin === 'npm' && !args.includes('--') && flags.length > 0 ? [...args, '--', ...flags] : [...args, ...flags]);
    return withTool(tool, [...args], found.args, port, host, url, add);
  }
  return { args: [...args], notes: [] };
}

function withTool(tool: Tool, args: string[], toolArgs: readonly string[], port: number, host: string, url: string, add: (flags: string[]) => string[]): DevServerPlan {
  const notes = notesOf(tool, host, url);
  const ownPort = namedPort(toolArgs) ?? namedPort(args);
  if (tool.readsPort === true) {
    // Its flags name only a host; one the command already names is the person's choice.
    const namesHost = [...toolArgs, ...args].some((arg) => arg === '--hostname' || arg === '-H' || arg.startsWith('--hostname='));
    return { args: namesHost ? args : add(tool.flags(port)), tool: tool.name, notes, ...(ownPort === undefined ? {} : { ownPort }) };
  }
  if (ownPort !== undefined) return { args, tool: tool.name, ownPort, notes };
  return { args: add(tool.flags(port)), tool: tool.name, notes, portFlags: true };
}

function notesOf(tool: Tool, host: string, url: string): string[] {
  return tool.note === undefined ? [] : [tool.note(host, url)];
}

/** `--port 5173`, `--port=5173`, `-p 5173` already in the command: the server listens there. */
function namedPort(args: readonly string[]): number | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    const inline = /^--port=(\d+)$/.exec(arg);
    const value = inline !== null ? inline[1] : arg === '--port' || arg === '-p' ? args[index + 1] : undefined;
    if (value !== undefined && /^\d+$/.test(value)) {
      const port = Number(value);
      if (port > 0 && port < 65536) return port;
    }
  }
  return undefined;
}

/** `npx vite`, `pnpm exec vite`, `yarn vite`, `bunx vite`, `node_modules/.bin/vite`, `python manage.py` → the tool and its arguments. */
function stripRunners(bin: string, args: string[]): { bin: string; args: string[] } | undefined {
  let rest = args;
  let current = bin;
  for (let depth = 0; depth < 3; depth++) {
    if (current === 'npx' || current === 'bunx' || current === 'pnpx') {
      rest = dropOptions(rest);
    } else if ((current === 'pnpm' || current === 'yarn' || current === 'npm' || current === 'bun') && ['exec', 'dlx', 'x'].includes(rest[0] ?? '')) {
      rest = dropOptions(rest.slice(1));
    } else if (/^python[\d.]*$/.test(current) || current === 'uv' || current === 'poetry') {
      rest = current === 'uv' || current === 'poetry' ? rest.filter((arg) => arg !== 'run') : rest;
      rest = /^python[\d.]*$/.test(baseName(rest[0] ?? '')) ? rest.slice(1) : rest;
    } else {
      return { bin: current, args: rest };
    }
    if (rest.length === 0) return undefined;
    current = baseName(rest[0] as string);
    rest = rest.slice(1);
  }
  return { bin: current, args: rest };
}

function dropOptions(args: string[]): string[] {
  let index = 0;
  while (index < args.length && (args[index] as string).startsWith('-') && args[index] !== '--') index++;
  if (args[index] === '--') index++;
  return args.slice(index);
}

/** The script `npm run dev`, `pnpm dev`, `yarn start`, `bun run dev` runs, if the manifest has it. */
function scriptOf(bin: string, args: readonly string[], scripts: Readonly<Record<string, unknown>>): { name: string; text: string } | undefined {
  if (!PACKAGE_MANAGERS.has(bin)) return undefined;
  const words = args.filter((arg) => !arg.startsWith('-'));
  let name = words[0];
  if (name === 'run' || name === 'run-script' || name === 'rum' || name === 'urn') name = words[1];
  else if (bin === 'npm' && name !== 'start' && name !== 'test' && name !== 'restart') return undefined;
  if (name === undefined || PM_BUILTINS.has(name)) return undefined;
  const text = scripts[name];
  return typeof text === 'string' ? { name, text } : undefined;
}

/** A script segment's words, environment assignments and `cross-env` dropped (quotes taken off, no shell expansion). */
function commandWords(segment: string): string[] {
  const words = (segment.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((word) => word.replace(/^(["'])(.*)\1$/, '$2'));
  let index = 0;
  while (index < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[index] as string) || words[index] === 'cross-env' || words[index] === 'env')) index++;
  return words.slice(index);
}

function baseName(command: string): string {
  const last = command.split(/[\\/]/).pop() ?? command;
  return last.replace(/\.(cmd|exe|ps1)$/i, '');
}
