import { setFlagsFromString } from 'node:v8';

/**
 * Stop V8 from running a full mark-compact every few dozen milliseconds while bodies
 * stream through the proxy.
 *
 * Each read from a dev server's socket is a fresh Buffer whose memory V8 counts as
 * "external". V8 11 (Node 20) subtracts all external memory allocated since the last
 * mark-compact from the old generation's free space, even when those Buffers are already
 * garbage a cheap scavenge would free. Relaying 400 MiB/s, that "free space" runs out every
 * ~50 ms, so V8 starts incremental marking again and again (78 mark-compacts in 4 s for
 * 1 MiB responses, about a quarter of the proxy's CPU). Without incremental marking V8
 * collects the old generation only when it is really full: 1 mark-compact in the same
 * run, -30 % CPU per MiB, no change for small requests (see BENCHMARKS.md). devtls's
 * heap is small (10-30 MiB), so a full collection is a pause of a few milliseconds.
 *
 * Safe to set at run time: V8 reads this flag each time it considers starting marking,
 * and this runs at start-up, before any marking began. A flag the user gave
 * (`--incremental-marking` in NODE_OPTIONS or on the command line) wins.
 */
export function tuneHeapForRelaying(): void {
  const given = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (given.includes('incremental-marking') || given.includes('incremental_marking')) return;
  setFlagsFromString('--no-incremental-marking');
}
