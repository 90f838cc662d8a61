import test from 'ava';
import { planDevServer } from '../../dist/run/dev-servers.js';

const host = 'shop.localhost';
const url = 'https://shop.localhost';
const plan = (command: string, args: string[], scripts: Record<string, string> = {}) => planDevServer(command, args, scripts, 4321, host, url);
const vite = ['--port', '4321', '--strictPort', '--host', '127.0.0.1'];

test('Vite run directly, through npx/pnpm exec/bunx, or by path gets --port, --strictPort and --host', (t) => {
  t.deepEqual(plan('vite', []).args, vite);
  t.deepEqual(plan('vite', ['dev']).args, ['dev', ...vite]);
  t.deepEqual(plan('npx', ['vite']).args, ['vite', ...vite]);
  t.deepEqual(plan('npx', ['-y', 'vite']).args, ['-y', 'vite', ...vite]);
  t.deepEqual(plan('pnpm', ['exec', 'vite']).args, ['exec', 'vite', ...vite]);
  t.deepEqual(plan('bunx', ['vite']).args, ['vite', ...vite]);
  t.deepEqual(plan('./node_modules/.bin/vite', []).args, vite);
  t.is(plan('vite', []).tool, 'Vite');
  t.deepEqual(plan('vite', ['build']).args, ['build'], 'a build is not a dev server');
});

test('a package-manager script that runs the tool: npm needs --, pnpm, yarn and bun pass arguments on', (t) => {
  const scripts = { dev: 'vite', start: 'ng serve', web: 'NODE_ENV=development webpack serve --mode development' };
  t.deepEqual(plan('npm', ['run', 'dev'], scripts).args, ['run', 'dev', '--', ...vite]);
  t.deepEqual(plan('npm', ['run', 'dev', '--', '--open'], scripts).args, ['run', 'dev', '--', '--open', ...vite]);
  t.deepEqual(plan('pnpm', ['dev'], scripts).args, ['dev', ...vite]);
  t.deepEqual(plan('yarn', ['run', 'dev'], scripts).args, ['run', 'dev', ...vite]);
  t.deepEqual(plan('bun', ['run', 'dev'], scripts).args, ['run', 'dev', ...vite]);
  t.deepEqual(plan('npm', ['start'], scripts).args, ['start', '--', '--port', '4321', '--host', '127.0.0.1']);
  t.is(plan('npm', ['start'], scripts).tool, 'Angular CLI');
  t.deepEqual(plan('pnpm', ['web'], scripts).args, ['web', '--port', '4321', '--host', '127.0.0.1']);
  t.is(plan('pnpm', ['web'], scripts).tool, 'webpack-dev-server');
  t.deepEqual(plan('npm', ['run', 'missing'], scripts).args, ['run', 'missing']);
  t.deepEqual(plan('pnpm', ['install'], { install: 'vite' }).args, ['install'], 'a package-manager command is not a script');
});

test('a script that runs the tool before other commands is not given flags, and says so', (t) => {
  const result = plan('npm', ['run', 'dev'], { dev: 'vite && echo done' });
  t.deepEqual(result.args, ['run', 'dev']);
  t.regex(result.notes[0] ?? '', /runs Vite before other commands/);
  t.deepEqual(plan('npm', ['run', 'dev'], { dev: 'tsc -b && vite' }).args, ['run', 'dev', '--', ...vite], 'the last command gets them');
});

test('a command that names its own port keeps it, and devtls routes there', (t) => {
  t.is(plan('vite', ['--port', '5173']).ownPort, 5173);
  t.deepEqual(plan('vite', ['--port', '5173']).args, ['--port', '5173']);
  t.is(plan('npm', ['run', 'dev'], { dev: 'vite --port=3000' }).ownPort, 3000);
});

test('servers that read PORT get no port flags; the ones whose allow-list devtls cannot set get the line to add', (t) => {
  const next = plan('npm', ['run', 'dev'], { dev: 'next dev --turbopack' });
  // Next.js reads PORT but listens on every interface unless told a host.
  t.deepEqual(next.args, ['run', 'dev', '--', '--hostname', '127.0.0.1']);
  t.is(next.portFlags, undefined, 'the port still comes from PORT');
  t.is(next.notes[0], "Next.js serves dev resources only to the origins it allows: add to next.config.js: allowedDevOrigins: ['shop.localhost'],");
  t.deepEqual(plan('npx', ['next', 'dev']).args, ['next', 'dev', '--hostname', '127.0.0.1']);
  t.deepEqual(plan('next', ['dev', '-H', '0.0.0.0']).args, ['dev', '-H', '0.0.0.0'], 'a host the command names is kept');
  t.deepEqual(plan('npm', ['run', 'dev', '--', '--hostname', '::1'], { dev: 'next dev' }).args, ['run', 'dev', '--', '--hostname', '::1'], 'also when named after the script');
  const ownPort = plan('next', ['dev', '-p', '3000']);
  t.deepEqual(ownPort.args, ['dev', '-p', '3000', '--hostname', '127.0.0.1'], 'a port of its own still gets the host');
  t.is(ownPort.ownPort, 3000);
  t.deepEqual(plan('npm', ['run', 'dev'], { dev: 'next dev && echo done' }).args, ['run', 'dev'], 'flags would reach the script\'s last command, not next');
  t.is(plan('vite', []).portFlags, true);
  const django = plan('python', ['manage.py', 'runserver']);
  t.deepEqual(django.args, ['manage.py', 'runserver', '127.0.0.1:4321']);
  t.is(django.notes[0], 'Django checks the origin of forms: add to settings.py: CSRF_TRUSTED_ORIGINS = ["https://shop.localhost"]');
  t.deepEqual(plan('node', ['server.js']), { args: ['server.js'], notes: [] });
});
