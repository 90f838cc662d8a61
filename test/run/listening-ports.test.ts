// Which ports a command's processes listen on (Linux /proc), and whether a port speaks HTTP:
// the table parser on lines in the kernel's format, then real processes and real sockets.
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { listeningPorts, parseTcpTable, processTree } from '../../dist/run/listening-ports.js';
import { answersHttp } from '../../dist/run/port-discovery.js';
import { deadPort } from '../helpers/backends.js';
import { eventually } from '../helpers/eventually.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const row = (local: string, state: string, inode: number): string =>
  `   0: ${local} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

test('the tcp tables: listening sockets reachable on loopback, by inode, with their port', (t) => {
  const v4 = parseTcpTable(
    HEADER +
      row('0100007F:0BB8', '0A', 11) + // 127.0.0.1:3000
      row('00000000:1F90', '0A', 12) + // 0.0.0.0:8080
      row('0101A8C0:1F91', '0A', 13) + // 192.168.1.1:8081, not on loopback
      row('0100007F:0BB9', '01', 14) + // an established connection
      row('0100007F:0BBA', '0A', 0), // no inode (a socket being torn down)
  );
  t.deepEqual([...v4], [
    ['11', { port: 3000, address: '127.0.0.1' }],
    ['12', { port: 8080, address: '127.0.0.1' }],
  ]);
  const v6 = parseTcpTable(
    HEADER +
      row('00000000000000000000000001000000:1389', '0A', 21) + // [::1]:5001
      row('00000000000000000000000000000000:138A', '0A', 22) + // [::]:5002
      row('0000000000000000FFFF00000100007F:138B', '0A', 23) + // [::ffff:127.0.0.1]:5003
      row('000080FE00000000FF005452F4470100:138C', '0A', 24), // a link-local address
  );
  t.deepEqual([...v6], [
    ['21', { port: 5001, address: '::1' }],
    ['22', { port: 5002, address: '::1' }],
    ['23', { port: 5003, address: '127.0.0.1' }],
  ]);
  t.deepEqual([...parseTcpTable('')], []);
});

function onLinux(t: { log(message: string): void; pass(): void; fail(message: string): void }): boolean {
  if (process.platform === 'linux') return true;
  if (process.env['CI'] === 'true') t.fail('CI runs on Linux: /proc must be there');
  else {
    t.log(`SKIPPED: /proc is Linux's; this is ${process.platform}`);
    t.pass();
  }
  return false;
}

test('a process and its child: every port they listen on (loopback or all addresses), lowest first; none for a process with no socket, nothing known for one that is gone', async (t) => {
  if (!onLinux(t)) return;
  // A shell whose child node listens on three ports, one of them on every address.
  const script = `
    const net = require('node:net');
    const ports = [];
    const listen = (host) => new Promise((resolve) => { const s = net.createServer(); s.listen(0, host, () => { ports.push(s.address().port); resolve(); }); });
    Promise.all([listen('127.0.0.1'), listen('0.0.0.0'), listen('127.0.0.1')]).then(() => console.log(JSON.stringify(ports)));
    setTimeout(() => {}, 60000);`;
  const shell = spawn('sh', ['-c', `"${process.execPath}" -e "$SCRIPT"; sleep 60`], { env: { ...process.env, SCRIPT: script }, stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    for (const pid of shellTree) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
  let shellTree: number[] = [shell.pid as number];
  const [line] = (await once(shell.stdout, 'data')) as [Buffer];
  const ports = (JSON.parse(String(line)) as number[]).sort((a, b) => a - b);
  shellTree = processTree(shell.pid as number);
  t.is(shellTree.length, 2, 'the shell and its node');
  t.deepEqual(processTree(shell.pid as number, true), shellTree, 'the same tree from every process\'s parent, for kernels without children files');
  const found = listeningPorts(shell.pid as number);
  t.deepEqual(found?.map((listener) => listener.port), ports);
  t.true(found?.every((listener) => listener.address === '127.0.0.1'));

  const idle = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => idle.kill('SIGKILL'));
  await once(idle, 'spawn');
  t.deepEqual(listeningPorts(idle.pid as number), []);
  idle.kill('SIGKILL');
  await once(idle, 'exit');
  t.true(await eventually(() => listeningPorts(idle.pid as number) === undefined, 2_000), 'a process that is gone: nothing is known');
});

test('answersHttp: an HTTP server (any status) yes; a server that speaks something else, or nothing there, no; it sends a bare HTTP/1.0 HEAD', async (t) => {
  const http = createHttpServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  let received = '';
  // Like Redis: answers an unknown command with an error line (and logs any Host header as an attack).
  const other = createServer((socket) =>
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      socket.end("-ERR unknown command 'HEAD'\r\n");
    }),
  );
  const servers: Server[] = [http, other];
  for (const server of servers) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => servers.forEach((server) => server.close()));
  const portOf = (server: Server): number => (server.address() as AddressInfo).port;
  t.true(await answersHttp({ port: portOf(http), address: '127.0.0.1' }));
  t.false(await answersHttp({ port: portOf(other), address: '127.0.0.1' }));
  t.is(received, 'HEAD / HTTP/1.0\r\n\r\n', 'no Host header, nothing but the request line');
  t.false(await answersHttp({ port: await deadPort(), address: '127.0.0.1' }));
});
