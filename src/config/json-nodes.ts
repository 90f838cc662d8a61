/** Small typed helpers over jsonc-parser nodes that throw ConfigError with the node's position. */
import type { Node } from 'jsonc-parser';
import type { RuleProblem } from './host-name-rules.js';
import { closestName } from './did-you-mean.js';
import type { SourceText } from './source-text.js';
import { quoted } from './source-text.js';

export interface Member {
  readonly name: string;
  readonly key: Node;
  readonly value: Node;
}

/** An object's members by name. Rejects duplicate names and, when `known` is given, unknown ones. */
export function members(source: SourceText, object: Node, known: readonly string[] | undefined, where: string): Map<string, Member> {
  const result = new Map<string, Member>();
  for (const property of object.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key === undefined || value === undefined) continue; // cannot happen in an error-free parse
    const name = String(key.value);
    const first = result.get(name);
    if (first !== undefined) {
      throw source.error(key.offset, {
        what: `duplicate key ${quoted(name)} in ${where}`,
        found: `a second ${quoted(name)} (the first is at line ${source.position(first.key.offset).line})`,
        expected: 'each key once',
        hint: 'JSON readers silently keep only one of them; delete the one you do not mean',
      });
    }
    if (known !== undefined && !known.includes(name)) {
      const guess = closestName(name, known);
      throw source.error(key.offset, {
        what: `unknown key ${quoted(name)} in ${where}${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`,
        found: quoted(name),
        expected: `one of ${known.map((k) => `"${k}"`).join(', ')}`,
        ...(guess === undefined ? {} : { hint: `did you mean "${guess}"?` }),
      });
    }
    result.set(name, { name, key, value });
  }
  return result;
}

export function fail(source: SourceText, node: Node, problem: RuleProblem): never {
  throw source.error(node.offset, { ...problem, found: source.found(node) });
}

/** A word for a node's JSON type, for "found …" when the type itself is the problem. */
export function typeName(node: Node): string {
  switch (node.type) {
    case 'object': return 'an object';
    case 'array': return 'a list';
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return node.value ? 'true' : 'false';
    case 'null': return 'null';
    default: return 'a value';
  }
}

/** Throws unless the node has the given JSON type; `expected` says what to write. */
export function requireType(source: SourceText, node: Node, type: Node['type'], what: string, expected: string, hint?: string): void {
  if (node.type !== type) wrongType(source, node, what, expected, hint);
}

/** The error for a value of the wrong JSON type, saying what was found. */
export function wrongType(source: SourceText, node: Node, what: string, expected: string, hint?: string): never {
  const found = node.type === 'object' || node.type === 'array' ? typeName(node) : `${typeName(node)} ${source.raw(node)}`;
  const cleaned = found.replace(/^(true|false|null) \1$/, '$1');
  throw source.error(node.offset, { what, found: cleaned, expected, ...(hint === undefined ? {} : { hint }) });
}

export function requireBoolean(source: SourceText, member: Member): boolean {
  const node = member.value;
  if (node.type === 'string' && (node.value === 'true' || node.value === 'false')) {
    throw source.error(node.offset, { what: `"${member.name}" must be true or false, without quotes`, found: source.raw(node), expected: String(node.value) });
  }
  requireType(source, node, 'boolean', `"${member.name}" must be true or false`, 'true or false');
  return node.value as boolean;
}
