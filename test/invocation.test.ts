import test from 'ava';
import { describeInvocation, type InvocationFacts } from '../dist/invocation.js';

const checkout: InvocationFacts = {
  cliPath: '/home/ada/src/devtls/dist/cli.js',
  scriptPath: '/home/ada/src/devtls/dist/cli.js',
  realScriptPath: '/home/ada/src/devtls/dist/cli.js',
  onPath: undefined,
  userAgent: undefined,
  cwd: '/home/ada/src/devtls',
};

test('from a checkout: node and the path to dist/cli.js, relative when it is below the working folder', (t) => {
  t.is(describeInvocation(checkout), 'node dist/cli.js');
  t.is(describeInvocation({ ...checkout, cwd: '/home/ada/shop' }), 'node /home/ada/src/devtls/dist/cli.js');
  t.is(describeInvocation({ ...checkout, cwd: '/home/ada/src/devtls/dist' }), 'node cli.js');
  const spaced = '/home/ada/my projects/devtls/dist/cli.js';
  t.is(describeInvocation({ ...checkout, cliPath: spaced, scriptPath: spaced, realScriptPath: spaced, cwd: '/tmp' }), `node '${spaced}'`);
});

test('a dev dependency run through npx, an npm script or node_modules/.bin: npx devtls', (t) => {
  const installed = '/home/ada/shop/node_modules/devtls/dist/cli.js';
  const viaBin = { ...checkout, cliPath: installed, scriptPath: '/home/ada/shop/node_modules/.bin/devtls', realScriptPath: installed, cwd: '/home/ada/shop' };
  t.is(describeInvocation(viaBin), 'npx devtls');
  t.is(describeInvocation({ ...viaBin, scriptPath: installed, realScriptPath: installed }), 'npx devtls', 'node node_modules/devtls/dist/cli.js too');
  t.is(describeInvocation({ ...viaBin, userAgent: 'pnpm/10.2.0 npm/? node/v20.20.2 linux x64' }), 'pnpm exec devtls');
  t.is(describeInvocation({ ...viaBin, userAgent: 'yarn/4.5.0 npm/? node/v20.20.2 linux x64' }), 'yarn devtls');
  t.is(describeInvocation({ ...viaBin, userAgent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false' }), 'npx devtls');
  // A checkout linked into a project (`npm install ../devtls`): the .bin path says how it was run.
  t.is(describeInvocation({ ...checkout, scriptPath: '/home/ada/shop/node_modules/.bin/devtls', cwd: '/home/ada/shop' }), 'npx devtls');
});

test('installed globally (npm install -g, npm link): devtls, when PATH runs this very file', (t) => {
  const global = '/usr/local/lib/node_modules/devtls/dist/cli.js';
  t.is(describeInvocation({ ...checkout, cliPath: global, scriptPath: '/usr/local/bin/devtls', realScriptPath: global, onPath: global, cwd: '/home/ada/shop' }), 'devtls');
  t.is(describeInvocation({ ...checkout, onPath: checkout.cliPath, cwd: '/tmp' }), 'devtls', 'a linked checkout');
  // A project's own copy while another devtls is on PATH: that other one is not this one.
  const local = '/home/ada/shop/node_modules/devtls/dist/cli.js';
  t.is(describeInvocation({ ...checkout, cliPath: local, scriptPath: '/home/ada/shop/node_modules/.bin/devtls', realScriptPath: local, onPath: global, cwd: '/home/ada/shop' }), 'npx devtls');
});
