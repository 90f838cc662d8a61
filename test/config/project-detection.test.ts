import test from 'ava';
import { detectProjectRoute, dnsLabel, portInCommand, projectLabel, type ProjectFolder } from '../../dist/config/project-detection.js';

function folder(packageJson: unknown, files: string[] = ['package.json'], extra: Partial<ProjectFolder> = {}): ProjectFolder {
  return { name: 'shop', files, packageJson, ...extra };
}

const detected = (project: ProjectFolder) => {
  const route = detectProjectRoute(project);
  return route === undefined ? undefined : { host: route.host, framework: route.devServer.framework, port: route.devServer.port };
};

test('each dev server is known by the script that runs it, on its default port', (t) => {
  const cases: [Record<string, string>, string, number][] = [
    [{ dev: 'vite' }, 'Vite', 5173],
    [{ dev: 'next dev' }, 'Next.js', 3000],
    [{ dev: 'astro dev' }, 'Astro', 4321],
    [{ start: 'webpack serve --mode development' }, 'webpack-dev-server', 8080],
    [{ start: 'webpack-dev-server' }, 'webpack-dev-server', 8080],
    [{ start: 'ng serve' }, 'Angular CLI', 4200],
    [{ dev: 'nuxt dev' }, 'Nuxt', 3000],
    [{ dev: 'nuxi dev' }, 'Nuxt', 3000],
    [{ dev: 'react-router dev' }, 'React Router', 5173],
    [{ dev: 'remix vite:dev' }, 'Remix', 5173],
    [{ dev: 'remix dev' }, 'Remix', 3000],
    [{ start: 'react-scripts start' }, 'Create React App', 3000],
    [{ develop: 'gatsby develop' }, 'Gatsby', 8000],
    [{ serve: 'vue-cli-service serve' }, 'Vue CLI', 8080],
    [{ start: 'parcel index.html' }, 'Parcel', 1234],
  ];
  for (const [scripts, framework, port] of cases) {
    t.deepEqual(detected(folder({ name: 'shop', scripts })), { host: 'shop.localhost', framework, port }, JSON.stringify(scripts));
  }
});

test('a framework built on Vite or webpack is named for the framework, found by its dependency', (t) => {
  const sveltekit = { name: 'shop', scripts: { dev: 'vite dev', build: 'vite build' }, devDependencies: { '@sveltejs/kit': '^2', vite: '^8' } };
  t.deepEqual(detected(folder(sveltekit)), { host: 'shop.localhost', framework: 'SvelteKit', port: 5173 });
  const nuxt = { name: 'shop', scripts: { dev: 'nuxt' }, dependencies: { nuxt: '^4' }, devDependencies: { vite: '^8' } };
  t.is(detected(folder(nuxt))?.framework, 'Nuxt');
  const angular = { name: 'shop', scripts: { start: 'ng serve' }, devDependencies: { '@angular/cli': '^21', webpack: '^5' } };
  t.is(detected(folder(angular))?.framework, 'Angular CLI');
  // Only a dependency, no script that runs it.
  t.deepEqual(detected(folder({ name: 'shop', devDependencies: { vite: '^8' } })), { host: 'shop.localhost', framework: 'Vite', port: 5173 });
  t.deepEqual(detected(folder({ name: 'shop', dependencies: { next: '16' } })), { host: 'shop.localhost', framework: 'Next.js', port: 3000 });
});

test('a port named in the dev script wins over the default', (t) => {
  t.is(detected(folder({ name: 'shop', scripts: { dev: 'vite --port 3001' } }))?.port, 3001);
  t.is(detected(folder({ name: 'shop', scripts: { dev: 'next dev -p 4000' } }))?.port, 4000);
  t.is(detected(folder({ name: 'shop', scripts: { dev: 'astro dev --port=9999' } }))?.port, 9999);
  t.is(detected(folder({ name: 'shop', scripts: { dev: 'vite dev --port 3100' }, devDependencies: { '@sveltejs/kit': '^2' } }))?.port, 3100);
  t.is(portInCommand('python manage.py runserver 0.0.0.0:8001'), 8001);
  t.is(portInCommand('python manage.py runserver 8002'), 8002);
  t.is(portInCommand('vite --host'), undefined);
  t.is(portInCommand('vite --port 99999'), undefined);
});

test('build, preview and test scripts are not the dev server', (t) => {
  t.is(detected(folder({ name: 'shop', scripts: { build: 'vite build', preview: 'vite preview', test: 'vitest' } })), undefined);
  t.is(detected(folder({ name: 'shop', scripts: { dev: 'vite build --watch' } })), undefined);
  t.is(detected(folder({ name: 'shop', scripts: { dev: 'vitest' } })), undefined);
  t.is(detected(folder({ name: 'shop', scripts: { start: 'node server.js' }, dependencies: { express: '^5' } })), undefined);
});

test('Rails, Django, Phoenix and Laravel are known by their files, and win over a bundler used for assets', (t) => {
  const rails = folder({ name: 'shop', devDependencies: { vite: '^8' } }, ['Gemfile', 'package.json', 'config.ru'], { gemfile: "source 'https://rubygems.org'\ngem 'rails', '~> 8.0'\n" });
  t.deepEqual(detected(rails), { host: 'shop.localhost', framework: 'Rails', port: 3000 });
  t.is(detected(folder(undefined, ['Gemfile'], { gemfile: "gem 'sinatra'\n" })), undefined, 'a Gemfile without rails');
  t.deepEqual(detected(folder(undefined, ['manage.py', 'requirements.txt'])), { host: 'shop.localhost', framework: 'Django', port: 8000 });
  t.is(detected(folder(undefined, ['mix.exs', 'config', 'lib']))?.port, 4000);
  t.is(detected(folder(undefined, ['artisan', 'composer.json']))?.port, 8000);
  const nextOnDjango = folder({ name: 'shop', scripts: { dev: 'next dev' } }, ['manage.py', 'package.json']);
  t.is(detected(nextOnDjango)?.framework, 'Next.js', 'a full JavaScript framework is the dev server the browser opens');
});

test('the route is named after the package (scope dropped) as one DNS label, else the folder', (t) => {
  const vite = { scripts: { dev: 'vite' } };
  t.is(detected(folder({ ...vite, name: '@acme/Shop_Web' }))?.host, 'shop-web.localhost');
  t.is(detected({ ...folder(vite), name: 'My Café' })?.host, 'my-cafe.localhost');
  t.is(detected({ ...folder({ ...vite, name: '@acme/___' }), name: 'store' })?.host, 'store.localhost', 'a name with no letters left falls back to the folder');
  t.is(projectLabel({ name: '...', files: [] }), 'app');
  t.is(dnsLabel('x'.repeat(80)).length, 63);
  t.is(dnsLabel(`${'a'.repeat(62)}_b`), 'a'.repeat(62), 'no hyphen left at the end after cutting');
});

test('nothing recognisable: no route (init then writes the example routes)', (t) => {
  t.is(detectProjectRoute(folder(undefined, [])), undefined);
  t.is(detectProjectRoute(folder('not an object')), undefined);
  t.is(detectProjectRoute(folder({ scripts: 'vite', dependencies: ['vite'] })), undefined);
});
