import test from 'ava';
import { COMMANDS, COMMAND_NAMES, commandModules, commandsToLoad } from '../../dist/cli/commands.js';

test('only the command named first is loaded; a command after an option loads them all; none for --help', (t) => {
  const up = commandsToLoad(['up', '--https-port', '8443']);
  t.deepEqual(COMMAND_NAMES.filter(up), ['up']);
  t.deepEqual(COMMAND_NAMES.filter(commandsToLoad(['run', '--', 'vite', 'serve'])), ['run']);
  t.deepEqual(COMMAND_NAMES.filter(commandsToLoad(['--ca-dir', '/ca', 'up'])), COMMAND_NAMES);
  t.deepEqual(COMMAND_NAMES.filter(commandsToLoad(['--help'])), []);
  t.deepEqual(COMMAND_NAMES.filter(commandsToLoad([])), []);
});

test('every command loads, with options and a handler; its name and description come from the list', async (t) => {
  const modules = await commandModules(() => true, ['node', 'server.js']);
  t.is(modules.length, COMMANDS.length);
  for (const [index, module] of modules.entries()) {
    const entry = COMMANDS[index];
    t.is(module.command, entry?.command);
    t.is(module.describe, entry?.describe);
    t.is(typeof module.handler, 'function', entry?.name);
    t.true(module.builder !== undefined || entry?.name === 'stop', `${entry?.name} has options`);
  }
});

test('a command not loaded is listed for --help but never runs', async (t) => {
  const modules = await commandModules((name) => name === 'up', []);
  const status = modules.find((module) => module.command === 'status');
  t.is(status?.builder, undefined);
  t.throws(() => (status?.handler as () => void)());
});
