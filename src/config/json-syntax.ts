/**
 * Strict JSON → syntax tree with offsets, and syntax errors a person can act on.
 * Comments and trailing commas are rejected (the file is plain JSON so any tool can read it).
 * Nesting is checked with a flat token scan *before* the recursive parser runs, so
 * `[[[[…` a hundred thousand deep is an error message, not a stack overflow.
 */
import { createScanner, parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { SourceText } from './source-text.js';
import { shown } from './source-text.js';
import { invocation } from '../invocation.js';

/** Far deeper than any proxy.config.json needs (4), far shallower than a stack overflow. */
export const MAX_NESTING_DEPTH = 64;

// jsonc-parser's SyntaxKind and ParseErrorCode are ambient const enums, which isolatedModules
// cannot use; these are their (stable, published) numeric values.
const Token = {
  OpenBrace: 1, CloseBrace: 2, OpenBracket: 3, CloseBracket: 4, Comma: 5, Colon: 6,
  Null: 7, True: 8, False: 9, String: 10, Number: 11,
  LineComment: 12, BlockComment: 13, LineBreak: 14, Trivia: 15, Unknown: 16, EOF: 17,
} as const;

const ErrorCode = {
  InvalidSymbol: 1, InvalidNumberFormat: 2, PropertyNameExpected: 3, ValueExpected: 4,
  ColonExpected: 5, CommaExpected: 6, CloseBraceExpected: 7, CloseBracketExpected: 8,
  EndOfFileExpected: 9, InvalidCommentToken: 10, UnexpectedEndOfComment: 11,
  UnexpectedEndOfString: 12, UnexpectedEndOfNumber: 13, InvalidUnicode: 14,
  InvalidEscapeCharacter: 15, InvalidCharacter: 16,
} as const;

interface TokenAt {
  kind: number;
  offset: number;
  text: string;
}

/** Parse `source.text` (BOM already removed) into a tree; throws ConfigError on any syntax problem. */
export function parseJsonTree(source: SourceText): Node {
  const text = source.text;
  if (text.trim() === '') {
    throw source.error(0, {
      what: 'the file is empty',
      found: text === '' ? 'nothing' : 'only whitespace',
      expected: 'a JSON object like { "routes": [{ "host": "app.localhost", "target": 8080 }] }',
      hint: `run \`${invocation()} init\` to write a starter file`,
    });
  }
  checkNesting(source);

  const errors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch (cause) {
    // Not expected after checkNesting; kept so a parser bug still reads as a config error.
    throw source.error(0, { what: 'the file could not be parsed', found: String(cause), expected: 'valid JSON' });
  }
  const first = errors[0];
  if (first !== undefined) throw describeSyntaxError(source, first);
  if (root === undefined) {
    throw source.error(0, { what: 'the file is not JSON', found: 'no value', expected: 'a JSON object' });
  }
  return root;
}

/** Flat scan: fail at the first bracket that opens deeper than MAX_NESTING_DEPTH. */
function checkNesting(source: SourceText): void {
  const scanner = createScanner(source.text, true);
  // Only a matching close bracket pops, exactly like the parser (which skips a mismatched one),
  // so this depth is never lower than the depth the parser will reach.
  const open: number[] = [];
  for (let kind = scanner.scan(); kind !== Token.EOF; kind = scanner.scan()) {
    if (kind === Token.OpenBrace || kind === Token.OpenBracket) {
      open.push(kind);
      if (open.length > MAX_NESTING_DEPTH) {
        throw source.error(scanner.getTokenOffset(), {
          what: `the JSON is nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`,
          found: `"${kind === Token.OpenBrace ? '{' : '['}" at level ${open.length}`,
          expected: 'at most 4 levels: { "routes": [ { "headers": { } } ] }',
        });
      }
    } else if ((kind === Token.CloseBrace && open.at(-1) === Token.OpenBrace) || (kind === Token.CloseBracket && open.at(-1) === Token.OpenBracket)) {
      open.pop();
    }
  }
}

function tokenAt(text: string, offset: number): TokenAt {
  const scanner = createScanner(text, false);
  scanner.setPosition(offset);
  const kind = scanner.scan();
  return { kind, offset: scanner.getTokenOffset(), text: text.slice(scanner.getTokenOffset(), scanner.getPosition()) };
}

/** The last significant token before `offset` (skipping whitespace and comments), or undefined. */
function tokenBefore(text: string, offset: number): TokenAt | undefined {
  const scanner = createScanner(text, true);
  let last: TokenAt | undefined;
  for (let kind = scanner.scan(); kind !== Token.EOF && scanner.getTokenOffset() < offset; kind = scanner.scan()) {
    last = { kind, offset: scanner.getTokenOffset(), text: '' };
  }
  if (last !== undefined) last.text = tokenAt(text, last.offset).text;
  return last;
}

function describeToken(token: TokenAt): string {
  if (token.kind === Token.EOF) return 'the end of the file';
  if (PUNCTUATION.has(token.kind)) return `"${token.text}"`;
  // Strings keep their quotes; words and numbers are shown as written.
  return shown(firstLine(token.text));
}

function firstLine(text: string): string {
  const end = text.search(/[\r\n]/);
  return end === -1 ? text : text.slice(0, end);
}

const PUNCTUATION = new Set<number>([Token.OpenBrace, Token.CloseBrace, Token.OpenBracket, Token.CloseBracket, Token.Comma, Token.Colon]);
const CLOSERS = new Set<number>([Token.CloseBrace, Token.CloseBracket]);
const CONTAINER_END = 'a value, or the closing bracket';

function describeSyntaxError(source: SourceText, error: ParseError) {
  const text = source.text;
  const token = tokenAt(text, error.offset);
  const found = describeToken(token);
  const at = (offset: number, what: string, foundText: string, expected: string, hint?: string) =>
    source.error(offset, { what, found: foundText, expected, ...(hint === undefined ? {} : { hint }) });

  switch (error.error) {
    case ErrorCode.InvalidCommentToken:
    case ErrorCode.UnexpectedEndOfComment:
      return at(token.offset, 'comments are not allowed in JSON', describeToken(token), 'plain JSON without // or /* */ comments',
        'proxy.config.json is read as strict JSON; delete the comment (a "description"-style key is not accepted either)');
    case ErrorCode.UnexpectedEndOfString:
      return at(token.offset, 'unterminated string (a string must close with " on the same line)', describeToken(token), 'a closing double quote "');
    case ErrorCode.InvalidCharacter: {
      const bad = firstControlCharacter(text, token.offset + 1);
      const code = text.charCodeAt(bad);
      return at(bad, 'control character inside a string', `U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
        code === 9 ? 'the escape \\t instead of a raw tab' : `an escape like \\u${code.toString(16).padStart(4, '0')}`);
    }
    case ErrorCode.InvalidEscapeCharacter:
    case ErrorCode.InvalidUnicode: {
      const bad = firstBadEscape(text, token.offset + 1, token.offset + token.text.length);
      return at(bad.offset, 'invalid escape in a string', `"${shown(bad.text)}"`, 'one of \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u followed by 4 hex digits');
    }
    case ErrorCode.UnexpectedEndOfNumber:
    case ErrorCode.InvalidNumberFormat:
      return at(token.offset, 'incomplete number', found, 'digits after "." or "e", like 8080 or 1.5');
    case ErrorCode.InvalidSymbol:
      return invalidSymbol(source, token);
    case ErrorCode.CommaExpected:
      if (CLOSERS.has(token.kind)) {
        return at(token.offset, 'mismatched bracket', found, token.kind === Token.CloseBrace ? '"," or "]" (this list is still open)' : '"," or "}" (this object is still open)');
      }
      return at(token.offset, 'missing comma before this value', found, 'a "," between the two values');
    case ErrorCode.ColonExpected:
      return at(token.offset, 'missing ":" after a property name', found, '":" between the name and its value');
    case ErrorCode.PropertyNameExpected:
    case ErrorCode.ValueExpected: {
      const before = tokenBefore(text, token.offset);
      if (before?.kind === Token.Comma && CLOSERS.has(token.kind)) {
        return at(before.offset, 'trailing comma (JSON does not allow a comma before "}" or "]")', `"," followed by ${found}`, 'no comma after the last item');
      }
      if (before?.kind === Token.Comma && token.kind === Token.Comma) {
        return at(token.offset, 'two commas in a row', found, 'a value between the commas');
      }
      if (token.kind === Token.EOF) {
        return at(token.offset, 'the file ends too early', found, error.error === ErrorCode.PropertyNameExpected ? 'a property name in double quotes' : 'a value');
      }
      if (error.error === ErrorCode.PropertyNameExpected) {
        return at(token.offset, 'expected a property name', found, 'a name in double quotes, like "host"');
      }
      return at(token.offset, 'expected a value', found, 'a string, number, true, false, null, an object or a list');
    }
    case ErrorCode.CloseBraceExpected:
    case ErrorCode.CloseBracketExpected: {
      const closer = error.error === ErrorCode.CloseBraceExpected ? '"}"' : '"]"';
      if (token.kind === Token.EOF) return at(token.offset, 'the file ends too early', found, `${closer} to close what is still open`);
      return at(token.offset, 'unexpected token', found, closer);
    }
    case ErrorCode.EndOfFileExpected:
      return at(token.offset, 'unexpected text after the end of the JSON value', found, 'the end of the file (everything must be inside one top-level object)');
    default:
      return at(token.offset, 'invalid JSON', found, CONTAINER_END);
  }
}

function invalidSymbol(source: SourceText, token: TokenAt) {
  const word = token.text;
  const found = describeToken(token);
  const at = (what: string, expected: string, hint?: string) =>
    source.error(token.offset, { what, found, expected, ...(hint === undefined ? {} : { hint }) });
  if (word.startsWith("'")) return at('strings must use double quotes', `"${shown(word.replace(/^'|'$/g, ''))}"`);
  if (word === '/') return at('comments are not allowed in JSON', 'plain JSON without comments');
  if (/^(undefined|NaN|-?Infinity|True|False|Null|TRUE|FALSE|NULL)$/.test(word)) {
    return at(`${shown(word)} is not a JSON value`, 'true, false, null, a number or a string in double quotes');
  }
  if (/^-/.test(word)) return at('invalid number', 'digits after "-"');
  if (/^[A-Za-z_$][\w$-]*$/.test(word)) {
    return at('text must be in double quotes', `"${word}"`, 'in JSON, property names and strings are written in double quotes');
  }
  if (/^[\u00a0\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]/.test(word)) {
    return at('invisible character outside a string', 'a space, tab or line break');
  }
  return at('unexpected character', 'a JSON value or punctuation ({ } [ ] : ,)');
}

function firstControlCharacter(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch < 0x20 && ch !== 10 && ch !== 13) return i;
  }
  return from;
}

function firstBadEscape(text: string, from: number, to: number): { offset: number; text: string } {
  for (let i = from; i < to; i++) {
    if (text[i] !== '\\') continue;
    const next = text[i + 1] ?? '';
    if ('"\\/bfnrt'.includes(next) && next !== '') { i++; continue; }
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) { i += 5; continue; }
    return { offset: i, text: text.slice(i, next === 'u' ? i + 6 : i + 2) };
  }
  return { offset: from - 1, text: text.slice(from - 1, to) };
}
