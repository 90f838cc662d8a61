import { dirname } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { parseConfigBytes, readConfigFile } from './load-config.js';
import type { ParsedConfig } from './parse-config.js';

export interface ConfigWatchHandlers {
  /** A new, valid config was saved. Called one at a time; the watcher waits for it. */
  apply(parsed: ParsedConfig): Promise<void> | void;
  /** The saved file is invalid (or unreadable) and stayed so: keep the last good config. */
  reject(error: unknown): void;
  /** The file is gone and stayed gone. */
  missing(): void;
  /**
   * After a reported problem (`reject` or `missing`), the file is good again and holds what
   * is already served, so there is nothing to apply: say the trouble is over.
   */
  recovered(): void;
}

export interface ConfigWatchOptions {
  /** Quiet time after an event before the file is read: coalesces bursts of saves. */
  debounceMs?: number;
  /**
   * How long a broken read must stay unchanged before it is reported: editors write in
   * steps, and a file caught empty or half-written mid-save is not the user's mistake. A
   * problem is reported when the read this long after the last event sees it, and one more
   * read this long later (with no event in between) sees it again. The file is read this
   * long after the last event in any case, because the watcher can miss a second change
   * that lands within a few milliseconds of the first.
   */
  settleMs?: number;
}

/**
 * Watches proxy.config.json however the editor saves it: in place, write-then-rename
 * (VS Code, JetBrains), vim's backup-and-rename, delete-and-recreate. Every settled change
 * is read, parsed and validated whole before `apply` sees it; the last save wins. Whatever
 * takes the file's place (a folder, a FIFO, a link to a device, a huge file) is a bad edit
 * like any other: readConfigFile reads only regular files, never blocks, and stops at a size
 * cap; and `close` never waits for a read.
 */
/** How often a file reported as broken is read again, in case the event of its fix is missed. */
const RECHECK_WHILE_BROKEN_MS = 1_000;

export class ConfigWatcher {
  private readonly file: string;
  private readonly handlers: ConfigWatchHandlers;
  private readonly debounceMs: number;
  private readonly settleMs: number;
  private watcher: FSWatcher | undefined;
  private lastApplied: Buffer;
  private lastReported: string | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly closing = new AbortController();
  /** A problem one settled read saw, reported only if the next settled read sees it too. */
  private unconfirmed: string | undefined;

  private constructor(file: string, initialBytes: Buffer, handlers: ConfigWatchHandlers, options: ConfigWatchOptions) {
    this.file = file;
    this.lastApplied = initialBytes;
    this.handlers = handlers;
    this.debounceMs = options.debounceMs ?? 20;
    this.settleMs = options.settleMs ?? 150;
  }

  /**
   * Start watching `file`, whose currently applied content is `initialBytes`.
   * Resolves once the watcher is ready, so an edit made after this is seen.
   */
  static async start(file: string, initialBytes: Buffer, handlers: ConfigWatchHandlers, options: ConfigWatchOptions = {}): Promise<ConfigWatcher> {
    const instance = new ConfigWatcher(file, initialBytes, handlers, options);
    // Watch the folder, not the file: the folder outlives every rename and delete an
    // editor does to the file, so no save can slip between a watch ending and the next.
    const folder = dirname(file);
    // Loaded here, once devtls is already serving, to keep it off the start-up path.
    const { watch } = await import('chokidar');
    const watcher = watch(folder, {
      ignoreInitial: true,
      persistent: true,
      depth: 0,
      ignored: (path: string) => path !== folder && path !== file,
    });
    instance.watcher = watcher;
    watcher.on('all', () => instance.onEvent());
    watcher.on('error', () => instance.onEvent());
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    return instance;
  }

  /** Stops watching; waits for an `apply` in progress, never for a read. */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort(new Error('the config watcher is closed'));
    clearTimeout(this.debounceTimer);
    clearTimeout(this.settleTimer);
    clearTimeout(this.recheckTimer);
    await this.watcher?.close();
    await this.running;
  }

  private onEvent(): void {
    if (this.closed) return;
    this.unconfirmed = undefined;
    clearTimeout(this.debounceTimer);
    clearTimeout(this.settleTimer);
    this.debounceTimer = setTimeout(() => this.schedule(false), this.debounceMs);
    this.settleTimer = setTimeout(() => this.schedule(true), this.settleMs);
  }

  /** Checks run one after another, never overlapping an apply in progress. */
  private schedule(settled: boolean): void {
    this.running = this.running.then(() => this.check(settled)).catch((error: unknown) => this.handlers.reject(error));
  }

  private async check(settled: boolean): Promise<void> {
    if (this.closed) return;
    let contents;
    try {
      // The path was resolved at start: what takes its place later, even a folder, is the file.
      contents = await untilAborted(readConfigFile(this.file, { directoryMeansConfigInside: false, signal: this.closing.signal }), this.closing.signal);
    } catch (error) {
      if (!settled || this.closed) return;
      if ((error as { code?: string }).code === 'ENOCONFIG') this.reportWhenConfirmed('missing', () => this.handlers.missing());
      else this.reportWhenConfirmed(`read:${String(error)}`, () => this.handlers.reject(error));
      return;
    }
    if (this.closed) return;
    if (contents.bytes.equals(this.lastApplied)) {
      this.unconfirmed = undefined;
      if (this.lastReported !== undefined) {
        this.lastReported = undefined;
        this.handlers.recovered();
      }
      return;
    }
    let parsed: ParsedConfig;
    try {
      parsed = parseConfigBytes(contents.bytes, contents.shownName, contents.absolute);
    } catch (error) {
      if (settled) this.reportWhenConfirmed(contents.bytes.toString('latin1'), () => this.handlers.reject(error));
      return;
    }
    this.unconfirmed = undefined;
    try {
      await this.handlers.apply(parsed);
    } catch (error) {
      this.reportOnce(`apply:${contents.bytes.toString('latin1')}`, () => this.handlers.reject(error));
      return;
    }
    this.lastApplied = contents.bytes;
    this.lastReported = undefined;
  }

  /**
   * Report a problem a settled read saw only when one more read, `settleMs` later and with no
   * event in between, sees it again. A settled read can run late (behind an apply, on a busy
   * machine) and land inside the next save, between an editor's delete and its write.
   */
  private reportWhenConfirmed(key: string, report: () => void): void {
    if (this.lastReported === key || this.unconfirmed === key) {
      this.unconfirmed = undefined;
      this.reportOnce(key, report);
      this.recheckLater();
      return;
    }
    this.unconfirmed = key;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.schedule(true), this.settleMs);
  }

  /**
   * While a problem is reported, read the file again now and then: when a folder or a FIFO is
   * swapped back for a file, the watcher can miss the event, and the fix must still apply.
   */
  private recheckLater(): void {
    clearTimeout(this.recheckTimer);
    if (this.closed) return;
    this.recheckTimer = setTimeout(() => this.schedule(true), RECHECK_WHILE_BROKEN_MS);
    this.recheckTimer.unref();
  }

  /** Say each problem once, not on every event while the file stays the same. */
  private reportOnce(key: string, report: () => void): void {
    if (this.lastReported === key) return;
    this.lastReported = key;
    report();
  }
}

/** `work`, or a rejection as soon as `signal` aborts: the caller stops waiting, the work finishes on its own. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
