import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder under the system temp dir, removed by the returned function. */
export async function makeTempDir(prefix = 'devtls-test-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // A devtls instance that is ending as the test ends may still write its log: retried
  // (ENOTEMPTY) rather than failing the test over it.
  return { dir, remove: () => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }) };
}

/** A fresh temp folder removed when the test ends. */
export async function tempDirFor(t: { teardown(fn: () => Promise<void>): void }, prefix = 'devtls-test-'): Promise<string> {
  const { dir, remove } = await makeTempDir(prefix);
  t.teardown(remove);
  return dir;
}
