import type { Logger } from '../../dist/proxy/logger.js';

/** A logger that remembers lines, so a test can look for what devtls said. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info(line: string): void {
    this.lines.push(line);
  }
  warn(line: string): void {
    this.lines.push(line);
  }
  error(line: string): void {
    this.lines.push(line);
  }
}
