// Loaded by ava into every test worker (package.json "ava.require"). A worker ends once
// nothing keeps its event loop alive; a test file that leaves a server, socket, timer or
// child process open keeps it running, and ava waits. This names the file and what it left
// open, then ends the worker with a failure, instead of a run that only stalls.
import test, { registerCompletionHandler } from 'ava';

/** Longer than any orderly shutdown here (devtls's own grace is 2 s). */
const GRACE_MS = 10_000;

/** What every worker holds from the start (its pipes to ava): not the test file's doing. */
const own = process.getActiveResourcesInfo();

registerCompletionHandler(() => {
  setTimeout(() => {
    const open = process.getActiveResourcesInfo();
    for (const kind of own) {
      const at = open.indexOf(kind);
      if (at !== -1) open.splice(at, 1);
    }
    process.stderr.write(`${test.meta.file}: still running ${GRACE_MS / 1000} s after its tests ended, held open by: ${open.join(', ')}\n`);
    process.exit(1);
  }, GRACE_MS).unref();
});
