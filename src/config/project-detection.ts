/**
 * What `devtls init` finds in a project folder: which dev server it runs, on which port, and
 * a host name for it. Pure: the caller reads the folder (see `readProjectFolder`).
 */

export interface ProjectFolder {
  /** The folder's own name, e.g. `shop`. */
  name: string;
  /** Names of the entries at the top of the folder, e.g. `package.json`, `manage.py`. */
  files: readonly string[];
  /** The parsed package.json, if there is one. */
  packageJson?: unknown;
  /** The Gemfile's text, if there is one. */
  gemfile?: string;
}

export interface DetectedDevServer {
  /** e.g. `Vite`, `Next.js`. */
  framework: string;
  port: number;
  /** What gave it away, for the message: `package.json script "dev": "vite"`. */
  evidence: string;
}

export interface ProjectRoute {
  /** e.g. `shop-web.localhost`. */
  host: string;
  devServer: DetectedDevServer;
}

/** A dev server known by a package it depends on or a command its scripts run. */
interface NodeFramework {
  framework: string;
  port: number;
  packages: readonly string[];
  /** A command in a script, matched as whole words, e.g. `next dev`. */
  commands: readonly RegExp[];
}

/**
 * Most specific first: Nuxt, Next.js, SvelteKit, Astro… run Vite or webpack underneath, so a
 * project that has both is the framework's. Ports are each tool's documented default.
 */
const NODE_FRAMEWORKS: readonly NodeFramework[] = [
  { framework: 'Nuxt', port: 3000, packages: ['nuxt', 'nuxt3'], commands: [/\b(?:nuxt|nuxi) dev\b/, /\bnuxt\s*$/] },
  { framework: 'Next.js', port: 3000, packages: ['next'], commands: [/\bnext dev\b/] },
  { framework: 'React Router', port: 5173, packages: ['@react-router/dev'], commands: [/\breact-router dev\b/] },
  { framework: 'Remix', port: 3000, packages: [], commands: [/\bremix dev\b/] },
  { framework: 'Remix', port: 5173, packages: ['@remix-run/dev'], commands: [/\bremix vite:dev\b/] },
  { framework: 'SvelteKit', port: 5173, packages: ['@sveltejs/kit'], commands: [] },
  { framework: 'Astro', port: 4321, packages: ['astro'], commands: [/\bastro dev\b/] },
  { framework: 'Angular CLI', port: 4200, packages: ['@angular/cli', '@angular-devkit/build-angular'], commands: [/\bng serve\b/] },
  { framework: 'Gatsby', port: 8000, packages: ['gatsby'], commands: [/\bgatsby develop\b/] },
  { framework: 'Create React App', port: 3000, packages: ['react-scripts'], commands: [/\breact-scripts start\b/] },
  { framework: 'Vue CLI', port: 8080, packages: ['@vue/cli-service'], commands: [/\bvue-cli-service serve\b/] },
];

/** Bundlers with a dev server of their own: below Rails and Django, which often use one for assets only. */
const NODE_BUNDLERS: readonly NodeFramework[] = [
  { framework: 'Vite', port: 5173, packages: ['vite'], commands: [/\bvite(?!\s+(?:build|preview|optimize)\b)(?=\s|$)/] },
  { framework: 'webpack-dev-server', port: 8080, packages: ['webpack-dev-server'], commands: [/\bwebpack serve\b/, /\bwebpack-dev-server\b/] },
  { framework: 'Parcel', port: 1234, packages: ['parcel'], commands: [/\bparcel(?!\s+build\b)(?=\s|$)/] },
];

/** The scripts a person runs to develop, in the order they are usually named. */
const DEV_SCRIPTS = ['dev', 'develop', 'start', 'serve', 'start:dev', 'dev:server'];

/** One route for the dev server this folder runs, or undefined when none is recognised. */
export function detectProjectRoute(folder: ProjectFolder): ProjectRoute | undefined {
  const devServer = detectDevServer(folder);
  if (devServer === undefined) return undefined;
  return { host: `${projectLabel(folder)}.localhost`, devServer };
}

export function detectDevServer(folder: ProjectFolder): DetectedDevServer | undefined {
  const manifest = asRecord(folder.packageJson);
  const scripts = devScripts(manifest);
  const packages = new Set([...Object.keys(asRecord(manifest?.['dependencies']) ?? {}), ...Object.keys(asRecord(manifest?.['devDependencies']) ?? {})]);
  return (
    matchNodeFramework(NODE_FRAMEWORKS, scripts, packages) ??
    matchBackend(folder, scripts) ??
    matchNodeFramework(NODE_BUNDLERS, scripts, packages)
  );
}

function matchNodeFramework(frameworks: readonly NodeFramework[], scripts: readonly [string, string][], packages: ReadonlySet<string>): DetectedDevServer | undefined {
  // A script that runs the tool says the most (and may name a port); a dependency alone says which tool.
  for (const [name, command] of scripts) {
    for (const entry of frameworks) {
      if (entry.commands.some((pattern) => pattern.test(command))) {
        return { framework: entry.framework, port: portInCommand(command) ?? entry.port, evidence: `package.json script ${JSON.stringify(name)}: ${JSON.stringify(command)}` };
      }
    }
  }
  for (const entry of frameworks) {
    const found = entry.packages.find((name) => packages.has(name));
    if (found === undefined) continue;
    // The main dev script may still name the port (SvelteKit's is `vite dev --port 3000`).
    const main = scripts.find(([name]) => DEV_SCRIPTS.includes(name));
    return { framework: entry.framework, port: (main === undefined ? undefined : portInCommand(main[1])) ?? entry.port, evidence: `package.json depends on ${found}` };
  }
  return undefined;
}

function matchBackend(folder: ProjectFolder, scripts: readonly [string, string][]): DetectedDevServer | undefined {
  const has = (name: string): boolean => folder.files.includes(name);
  if (has('manage.py')) return { framework: 'Django', port: portInCommand(scripts.find(([, command]) => /\brunserver\b/.test(command))?.[1] ?? '') ?? 8000, evidence: 'manage.py' };
  if (has('Gemfile') && /^\s*gem\s+["']rails["']/m.test(folder.gemfile ?? '')) return { framework: 'Rails', port: 3000, evidence: 'Gemfile names rails' };
  if (has('mix.exs') && has('config')) return { framework: 'Phoenix', port: 4000, evidence: 'mix.exs' };
  if (has('artisan') && has('composer.json')) return { framework: 'Laravel', port: 8000, evidence: 'artisan' };
  return undefined;
}

/** The scripts worth reading, the development ones first: `[name, command]`. */
function devScripts(manifest: Record<string, unknown> | undefined): [string, string][] {
  const scripts = Object.entries(asRecord(manifest?.['scripts']) ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  const rank = (name: string): number => {
    const index = DEV_SCRIPTS.indexOf(name);
    return index === -1 ? DEV_SCRIPTS.length : index;
  };
  // Build, test and preview scripts run the same tools without a dev server (or on another port).
  return scripts.filter(([name]) => !/^(build|test|lint|preview|typecheck|format|check)(:|$)/.test(name)).sort((a, b) => rank(a[0]) - rank(b[0]));
}

/** `vite --port 3001`, `next dev -p 4000`, `--port=9000`, `runserver 0.0.0.0:8001` → the port. */
export function portInCommand(command: string): number | undefined {
  const match = /(?:--port[=\s]+|(?:^|\s)-p[=\s]*|\brunserver\s+(?:[\w.:[\]]*:)?)(\d{2,5})\b/.exec(command);
  const port = match === null ? undefined : Number(match[1]);
  return port !== undefined && port > 0 && port <= 65535 ? port : undefined;
}

/** The project's name as one DNS label: package.json `name` without its scope, else the folder name. */
export function projectLabel(folder: ProjectFolder): string {
  const name = asRecord(folder.packageJson)?.['name'];
  const fromPackage = typeof name === 'string' ? dnsLabel(name.replace(/^@[^/]*\//, '')) : '';
  return fromPackage !== '' ? fromPackage : dnsLabel(folder.name) || 'app';
}

/** `Shop_Web` → `shop-web`, `Café` → `cafe`: lower-case letters, digits and inner hyphens, at most 63. */
export function dnsLabel(text: string): string {
  const ascii = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  return ascii.replace(/[^a-z0-9]+/g, '-').slice(0, 63).replace(/^-+|-+$/g, '');
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
