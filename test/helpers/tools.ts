import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';

const run = promisify(execFile);

/** Whether a command-line tool is on PATH. */
export async function hasTool(name: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * A test that needs a tool: on a laptop without it, skip with a printed reason; in CI
 * (CI=true) a missing tool is a failure, never a silent skip.
 */
export async function requireTool(t: ExecutionContext, name: string, install: string): Promise<boolean> {
  if (await hasTool(name)) return true;
  if (process.env['CI'] === 'true') {
    t.fail(`${name} is missing in CI: ${install}`);
    return false;
  }
  t.log(`SKIPPED: ${name} is not installed (${install})`);
  t.pass();
  return false;
}
