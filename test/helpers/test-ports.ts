import { readFileSync, rmSync } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * Ports for servers a test starts later in another process (a devtls instance, nginx, Caddy),
 * which can only be told a number, and ports where nothing may listen (a dev server that is
 * down). Two ways such a port was lost between the pick and its use:
 * - from listen(0), inside the kernel's ephemeral range, it went to another test's server or
 *   outgoing connection ("Port 39147 (HTTP) is already in use by another program");
 * - from below that range, it was the port `devtls run` picked at the same moment for another
 *   test's dev server, so that run's requests reached this test's instance.
 * So these come from above the ephemeral range, where neither lands, and each is reserved by a
 * file created exclusively: ava's worker processes never hand out the same one twice.
 */
const RESERVATIONS = join(tmpdir(), `devtls-test-ports-${userInfo().uid}`);
/** A reservation left by a worker that died is taken back after this long. */
const STALE_MS = 30 * 60_000;
const ATTEMPTS = 200;
/** Reservations not given back yet: removed when the worker exits, whatever the tests did. */
const held = new Set<string>();
process.on('exit', () => {
  for (const file of held) rmSync(file, { force: true });
});

/** A reserved port, given back when the test ends. */
export async function testPort(t: { teardown(fn: () => Promise<void>): void }): Promise<number> {
  const { port, release } = await reservePort();
  t.teardown(release);
  return port;
}

/** A reserved port and the call that gives it back (for hooks, where ava has no teardown); the worker's exit gives back the rest. */
export async function reservePort(): Promise<{ port: number; release: () => Promise<void> }> {
  const [low, high] = reservedRange();
  await mkdir(RESERVATIONS, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    const file = join(RESERVATIONS, String(port));
    if (!(await claim(file))) continue;
    if (!(await isFree(port))) {
      await rm(file, { force: true });
      continue;
    }
    held.add(file);
    return {
      port,
      release: async () => {
        held.delete(file);
        await rm(file, { force: true });
      },
    };
  }
  throw new Error(`no free port to reserve in ${low}-${high} after ${ATTEMPTS} attempts`);
}

/** Above the ephemeral range; where that leaves too few (macOS: 49152–65535), below devtls run's picks. */
function reservedRange(): [number, number] {
  let end = 60999;
  try {
    end = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[1]);
  } catch {
    end = 65535;
  }
  return 65535 - end >= 1_000 ? [end + 1, 65535] : [2_000, 9_999];
}

async function claim(file: string): Promise<boolean> {
  try {
    await (await open(file, 'wx')).close();
    return true;
  } catch {
    const age = await stat(file).then((info) => Date.now() - info.mtimeMs, () => 0);
    if (age > STALE_MS) await rm(file, { force: true });
    return false;
  }
}

async function isFree(port: number): Promise<boolean> {
  for (const host of ['127.0.0.1', '::1']) {
    const result = await new Promise<'free' | 'taken' | 'no-such-address'>((resolve) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT' ? 'no-such-address' : 'taken'));
      server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('free')));
    });
    if (result === 'taken') return false;
  }
  return true;
}
