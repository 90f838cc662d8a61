import type { Node } from 'jsonc-parser';
import { ConfigError, type Problem, type SourcePosition } from './config-error.js';

const MAX_SHOWN = 60;

/**
 * The text of one config file with its name: turns offsets into `file:line:col`,
 * and nodes into short, printable "found …" descriptions.
 */
export class SourceText {
  private lineStarts: number[] | undefined;

  constructor(readonly text: string, readonly file: string) {}

  position(offset: number): SourcePosition {
    const starts = this.lineStartOffsets();
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    // Binary search for the last line start <= offset.
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= clamped) low = mid;
      else high = mid - 1;
    }
    return { file: this.file, line: low + 1, column: clamped - (starts[low] ?? 0) + 1 };
  }

  /** `file:line:col` */
  location(offset: number): string {
    const { file, line, column } = this.position(offset);
    return `${file}:${line}:${column}`;
  }

  error(offset: number, problem: Problem): ConfigError {
    return new ConfigError(this.position(offset), problem);
  }

  /** The source text of a node, shortened and with invisible characters made visible. */
  raw(node: Node): string {
    return shown(this.text.slice(node.offset, node.offset + node.length));
  }

  /** How to describe a value in "found …": the text itself for scalars, a word for containers. */
  found(node: Node): string {
    if (node.type === 'object') return node.children?.length ? 'an object' : '{}';
    if (node.type === 'array') return node.children?.length ? 'a list' : '[]';
    return this.raw(node);
  }

  private lineStartOffsets(): number[] {
    if (this.lineStarts === undefined) {
      const starts = [0];
      const text = this.text;
      for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        if (ch === 10) starts.push(i + 1);
        else if (ch === 13) {
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        }
      }
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }
}

/** Shorten to one readable line: control and invisible characters become `\uXXXX`. */
export function shown(text: string, max = MAX_SHOWN): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text;
  return short.replace(/[\u0000-\u001f\u007f-\u00a0\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]/g, (ch) => {
    switch (ch) {
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      default: return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

/** A JavaScript string as it would be written in JSON, shortened. */
export function quoted(value: string, max = MAX_SHOWN): string {
  const json = JSON.stringify(value);
  return shown(json.length > max + 2 ? `${json.slice(0, max + 1)}…"` : json, max + 4);
}
