/**
 * The routes of every project the running shared instance serves, with its ports and CA:
 * what `devtls export --running` turns into one config.
 */
import { UserError } from '../errors.js';
import { tryConnect } from '../instance/start-instance.js';
import { defaultStateDir, statePaths } from '../instance/state-dir.js';
import type { InstanceInfo, ProjectInfo } from '../instance/protocol.js';
import type { Route } from '../routes/route.js';
import { invocation } from '../invocation.js';

export interface RunningRoutes {
  routes: Route[];
  projects: ProjectInfo[];
  instance: InstanceInfo;
}

/** Ask the instance in `stateDir` (default: this user's) what it serves; a UserError when none runs. */
export async function routesOfRunningInstance(stateDir = defaultStateDir()): Promise<RunningRoutes> {
  const connection = await tryConnect(statePaths(stateDir));
  if (connection === undefined) {
    throw new UserError('devtls is not running, so --running has no routes to export', {
      hint: `start your projects with \`${invocation()} up\`, or export one file with --config FILE`,
      code: 'EEXPORT_NOT_RUNNING',
    });
  }
  try {
    const reply = await connection.request({ type: 'status' });
    if (reply.type !== 'status') throw new Error(`the instance answered a status request with "${reply.type}"`);
    return { routes: reply.projects.flatMap((project) => project.routes), projects: reply.projects, instance: reply.instance };
  } finally {
    connection.close();
  }
}
