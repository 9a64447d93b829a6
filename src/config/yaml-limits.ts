// Limits that keep a broken or hostile providers.yaml from taking the process down: collections
// nested deeper than the yaml library's recursion survives, and aliases that expand into more
// values than memory holds ("billion laughs"). Both are checked on the parsed syntax, in time
// linear in the file, before anything expands an alias.
import { Lexer, LineCounter, Parser, isAlias, isCollection, isNode, isPair, type Document, type Node } from 'yaml';
import type { ConfigIssue } from './config-error';

/**
 * Collections inside collections. A real file needs fewer than ten levels; a few thousand
 * overflow the yaml composer's stack, and V8 can abort the process outright (not throw) when a
 * regular expression is compiled that close to the stack limit.
 */
export const MAX_NESTING = 100;

/**
 * Alias uses (`*name`) in one file. Ordinary reuse (a shared `headers:` block under a few hundred
 * instances) stays far below; the yaml library resolves each alias with a scan of every anchor
 * and alias before it, so this also bounds the time that takes.
 */
export const MAX_ALIASES = 10_000;

/** Values that aliases add to the file once expanded; a billion-laughs file adds billions. */
export const MAX_ALIAS_VALUES = 100_000;

/** Where the parser first goes deeper than MAX_NESTING, or undefined. Never recurses. */
export function findDeepNesting(text: string): ConfigIssue | undefined {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    // The documents it yields are not needed: only how deep its stack of open tokens gets
    // (the document and the scalar being read count too, hence the 2).
    for (const _ of parser.next(lexeme));
    if (parser.stack.length > MAX_NESTING + 2) {
      const { line, col } = lines.linePos(parser.stack[parser.stack.length - 1].offset);
      return { path: '', message: `collections are nested more than ${MAX_NESTING} levels deep`, line, column: col };
    }
  }
  return undefined;
}

/**
 * The first alias that is unresolvable, loops back into its own anchor, or takes the file over
 * MAX_ALIASES or MAX_ALIAS_VALUES; undefined when expanding the aliases is safe.
 */
export function findAliasProblem(doc: Document, lines: LineCounter): ConfigIssue | undefined {
  // An anchor is resolved as the yaml library does: the last one of that name before the alias,
  // in document order (a collection before its items).
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let aliases = 0;
  let added = 0;

  const at = (node: Node, message: string): ConfigIssue => {
    const offset = node.range?.[0];
    if (offset === undefined) return { path: '', message };
    const { line, col } = lines.linePos(offset);
    return { path: '', message, line, column: col };
  };

  // Values the node stands for once every alias in it is expanded. Recursion depth is bounded
  // by MAX_NESTING, which the caller checked first.
  const size = (node: unknown): number | ConfigIssue => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) return at(node, `alias *${node.source} has no anchor &${node.source} before it`);
      if (open.has(target)) return at(node, `alias *${node.source} is inside the collection it refers to, so it never ends`);
      aliases += 1;
      if (aliases > MAX_ALIASES) {
        return at(node, `too many YAML aliases: more than ${MAX_ALIASES} (a configuration needs far fewer; is this an alias bomb?)`);
      }
      added += sizes.get(target) ?? 1;
      if (added > MAX_ALIAS_VALUES) {
        return at(node, `YAML aliases expand too much: to more than ${MAX_ALIAS_VALUES} values by here (an alias bomb such as "billion laughs"?)`);
      }
      return sizes.get(target) ?? 1;
    }
    if (isPair(node)) {
      const key = size(node.key);
      if (typeof key !== 'number') return key;
      const value = size(node.value);
      return typeof value === 'number' ? key + value : value;
    }
    if (!isNode(node)) return 0;
    if (node.anchor) anchors.set(node.anchor, node);
    let total = 1;
    if (isCollection(node)) {
      open.add(node);
      for (const item of node.items) {
        const n = size(item);
        if (typeof n !== 'number') return n;
        total += n;
      }
      open.delete(node);
    }
    sizes.set(node, total);
    return total;
  };

  const result = size(doc.contents);
  return typeof result === 'number' ? undefined : result;
}
