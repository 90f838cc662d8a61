// The programs the bench drives, installed with apt-get when missing (and said so).
import { execFileSync, spawnSync } from 'node:child_process';

const NEEDED = [
  { command: 'nginx', pkg: 'nginx', path: ['/usr/sbin/nginx'] },
  { command: 'caddy', pkg: 'caddy' },
  { command: 'wrk', pkg: 'wrk' },
  { command: 'h2load', pkg: 'nghttp2-client' },
  { command: 'taskset', pkg: 'util-linux' },
  { command: 'chromium', pkg: 'chromium' }, // the 300-module page load
  { command: 'certutil', pkg: 'libnss3-tools' },
];

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } }).status === 0;
}

export function ensureTools(log) {
  const missing = NEEDED.filter((tool) => !has(tool.command));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((tool) => tool.pkg))];
  log(`Installing missing tools with apt-get: ${pkgs.join(' ')} (for ${missing.map((tool) => tool.command).join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => {
    const result = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (status ${result.status}); install ${pkgs.join(' ')} by hand and run again.`);
  };
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
  // Debian's packages try to start their system services; the policy here usually refuses,
  // and the bench never uses them: it starts its own instances on private ports.
  const still = missing.filter((tool) => !has(tool.command));
  if (still.length > 0) throw new Error(`still missing after apt-get: ${still.map((tool) => tool.command).join(', ')}`);
}

export function versions() {
  const first = (cmd, args) => {
    try {
      const result = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin` } });
      return `${result.stdout}${result.stderr}`.trim().split('\n')[0] ?? '';
    } catch {
      return '?';
    }
  };
  let cpu = '?';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(execFileSync('cat', ['/proc/cpuinfo']).toString())?.[1] ?? '?';
  } catch {
    /* ignore */
  }
  return {
    node: process.version,
    nginx: first('nginx', ['-v']).replace('nginx version: ', ''),
    caddy: first('caddy', ['version']),
    wrk: first('wrk', ['--version']).replace(/ \[.*/, ''),
    h2load: first('h2load', ['--version']),
    cpu,
    cores: Number(execFileSync('nproc', ['--all']).toString().trim()),
    kernel: first('uname', ['-r']),
  };
}
