/** Whether this user may bind the HTTPS and redirect ports (or devtls already has them),
 * with the fixes `devtls up` itself gives when it cannot. */
import { createServer } from 'node:net';
import { isUserError } from '../errors.js';
import { listen } from '../proxy/listen.js';
import { fail, ok, warn, type DoctorCheck } from './check.js';

export interface PortToCheck {
  port: number;
  role: 'HTTPS' | 'HTTP';
}

/** Bind and release at once; `devtlsOnPort` says whether a busy port is devtls's own. */
export async function checkPort(
  target: PortToCheck,
  devtlsOnPort: (target: PortToCheck) => Promise<boolean>,
  host = '127.0.0.1',
): Promise<{ check: DoctorCheck; boundByDevtls: boolean }> {
  const id = `port:${target.port}`;
  const server = createServer();
  try {
    await listen(server, target.port, host, target.role);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return { check: ok(id, `port ${target.port} (${target.role}) can be bound by this user`), boundByDevtls: false };
  } catch (error) {
    if (!isUserError(error)) throw error;
    if (error.code === 'EADDRINUSE' && (await devtlsOnPort(target))) {
      return { check: ok(id, `port ${target.port} (${target.role}) is bound by the running devtls`), boundByDevtls: true };
    }
    // Busy is a warning (it may be a devtls of another CA folder); refused is a failure.
    const check = error.code === 'EADDRINUSE' ? warn : fail;
    return { check: check(id, error.message, error.hint ?? ''), boundByDevtls: false };
  }
}
