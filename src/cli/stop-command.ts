import type { CommandDefinition } from './commands.js';
import { tryConnect } from '../instance/start-instance.js';
import { defaultStateDir, statePaths } from '../instance/state-dir.js';

export const stopCommand: CommandDefinition<object> = {
  handler: async () => {
    const connection = await tryConnect(statePaths(defaultStateDir()));
    if (connection === undefined) {
      console.log('devtls is not running.');
      return;
    }
    const reply = await connection.request({ type: 'stop' });
    await connection.closed;
    if (reply.type === 'ok') {
      const count = reply.projects.length;
      console.log(`Stopped devtls (pid ${reply.instance.pid})${count === 0 ? '' : `; ${count} project${count === 1 ? ' was' : 's were'} told`}.`);
    }
  },
};
