import type { Server } from 'node:net';
import { UserError } from '../errors.js';
import { formatHost } from '../routes/labels.js';
import { invocation } from '../invocation.js';

/** Bind a server, turning the errors people hit (privileged or busy port) into advice. */
export function listen(server: Server, port: number, host: string, role: 'HTTPS' | 'HTTP'): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(explainListenError(error, port, host, role));
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

const PORT_FLAG = { HTTPS: '--https-port', HTTP: '--http-port' } as const;

export function explainListenError(error: NodeJS.ErrnoException, port: number, host: string, role: 'HTTPS' | 'HTTP'): Error {
  const flag = PORT_FLAG[role];
  const where = `${formatHost(host)}:${port}`;
  if (error.code === 'EACCES') {
    return new UserError(`devtls may not listen on port ${port} (${role}, ${where}): ports below 1024 need permission on ${osName()}.`, {
      code: 'EACCES',
      hint: privilegedPortHint(),
    });
  }
  if (error.code === 'EADDRINUSE') {
    return new UserError(`Port ${port} (${role}, ${where}) is already in use by another program.`, {
      code: 'EADDRINUSE',
      hint: `Stop that program (find it with: ${findPortCommand(port)}), or choose another port: ${invocation()} up ${flag} ${suggestedPort(port)}`,
    });
  }
  if (error.code === 'EADDRNOTAVAIL') {
    return new UserError(`Address ${formatHost(host)} is not available on this machine (${role}).`, {
      code: 'EADDRNOTAVAIL',
      hint: 'Choose an address this machine has with --host, e.g. --host 127.0.0.1',
    });
  }
  return error;
}

/** Both ports in one command: moving only the refused one would just get the other refused next. */
const HIGH_PORTS = `--https-port ${suggestedPort(443)} --http-port ${suggestedPort(80)}`;

function privilegedPortHint(): string {
  const devtls = invocation();
  const other = `or use high ports instead: ${devtls} up ${HIGH_PORTS}`;
  switch (process.platform) {
    case 'linux':
      return [
        'Fix it once, any of:',
        `  sudo setcap cap_net_bind_service=+ep "$(readlink -f "$(command -v node)")"   (lets node bind low ports)`,
        '  sudo sysctl net.ipv4.ip_unprivileged_port_start=80   (add it to /etc/sysctl.d/ to keep it)',
        `  sudo ${devtls} up   (runs everything as root; the other fixes are safer)`,
        `  ${other}`,
      ].join('\n');
    case 'darwin':
      return `macOS 10.14+ lets anyone bind 80/443 on all addresses; on older versions run sudo ${devtls} up, ${other}`;
    case 'win32':
      return `Run the terminal as Administrator, ${other}`;
    default:
      return `Run devtls with the right to bind low ports (e.g. sudo), ${other}`;
  }
}

/** 8081 rather than 8080 for http: 8080 is where many dev servers (webpack-dev-server, Tomcat…) listen. */
function suggestedPort(port: number): number {
  if (port === 443) return 8443;
  if (port === 80) return 8081;
  return port + 1;
}

function findPortCommand(port: number): string {
  if (process.platform === 'win32') return `netstat -ano | findstr :${port}`;
  if (process.platform === 'linux') return `sudo ss -ltnp 'sport = :${port}'`;
  return `lsof -nP -iTCP:${port} -sTCP:LISTEN`;
}

function osName(): string {
  return process.platform === 'linux' ? 'Linux' : process.platform === 'darwin' ? 'macOS' : process.platform === 'win32' ? 'Windows' : process.platform;
}
