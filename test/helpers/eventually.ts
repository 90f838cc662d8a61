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
