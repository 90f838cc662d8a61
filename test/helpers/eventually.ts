/** Poll `check` until it returns true, for at most `timeoutMs`; false if it never did. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5_000, intervalMs = 15): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return true;
    } catch {
      // Not yet.
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}

/**
 * `promise`, or a clear failure once `timeoutMs` passed without it settling. For waits on
 * another process or socket that a regression could leave pending forever: a failed test
 * names what it waited for, where a pending one would only stall the run.
 */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
