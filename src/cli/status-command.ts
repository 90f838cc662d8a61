import type { Argv } from 'yargs';
import type { CommandDefinition } from './commands.js';
import { targetUrl } from '../routes/labels.js';
import { statusJson } from '../status/status-json.js';
import { tryConnect } from '../instance/start-instance.js';
import { defaultStateDir, statePaths } from '../instance/state-dir.js';
import type { InstanceInfo, ProjectInfo } from '../instance/protocol.js';

interface StatusArgs {
  json: boolean;
}

export const statusCommand: CommandDefinition<StatusArgs> = {
  builder: (yargs: Argv) => yargs.option('json', { type: 'boolean', default: false, describe: 'Print JSON for scripts' }) as unknown as Argv<StatusArgs>,
  handler: async (args) => {
    const paths = statePaths(defaultStateDir());
    const connection = await tryConnect(paths);
    let status: { instance: InstanceInfo; projects: ProjectInfo[] } | undefined;
    if (connection !== undefined) {
      try {
        const reply = await connection.request({ type: 'status' });
        if (reply.type === 'status') status = reply;
      } finally {
        connection.close();
      }
    }
    if (args.json) {
      console.log(JSON.stringify(status === undefined ? { running: false, projects: [] } : statusJson(status.instance, status.projects), null, 2));
      return;
    }
    if (status === undefined) {
      console.log('devtls is not running.');
      return;
    }
    const { instance, projects } = status;
    console.log(`devtls is running (pid ${instance.pid}, up ${duration(Date.now() - instance.startedAt)}, version ${instance.version})`);
    console.log(`  https ${instance.addresses.join(', ')}; ${instance.httpPort === false ? 'no http redirect' : `http :${instance.httpPort} redirects to https`}`);
    console.log(`  CA ${instance.caDir}`);
    if (projects.length === 0) console.log('  no project is registered');
    const port = instance.httpsPort === 443 ? '' : `:${instance.httpsPort}`;
    for (const project of projects) {
      console.log(`${project.source} (pid ${project.pid})`);
      for (const route of project.routes) console.log(`  https://${route.host}${port}${route.path === '/' ? '' : route.path} → ${targetUrl(route.target)}`);
    }
  },
};

export { statusJson };

function duration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
