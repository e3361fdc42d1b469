import { isAlias, isMap, isScalar, isSeq, Parser, type Document } from 'yaml';

/**
 * A scenario nests a handful of levels. Much deeper input overflows the stack of every recursive
 * step after parsing (anchors, environment, validation), so it is refused first.
 */
const MAX_NESTING = 64;
/**
 * Values once every alias is expanded. An alias bomb ("billion laughs") is a small file whose
 * aliases expand exponentially: the file is refused before anything walks the expansion.
 */
const MAX_VALUES = 100_000;
/** An anchored node still being walked: an alias to it is a cycle. */
const OPEN = -1;

export interface StructureProblem {
  /** Offset of the offending node in the text. */
  offset: number | undefined;
  path: PropertyKey[];
  message: string;
}

/**
 * Where the parser's own stack first holds more than any scenario needs (it grows by one or two
 * entries per level of block nesting). Past a few thousand levels the parser overflows the call
 * stack itself, so only the text before this point is parsed, and its nesting is reported.
 */
export function tooDeepOffset(text: string): number | undefined {
  let at: number | undefined;
  const parser = new Parser((offset) => {
    if (parser.stack.length > 4 * MAX_NESTING) {
      at = offset;
      throw new Refused({ offset, path: [], message: `nested more than ${MAX_NESTING} levels deep` });
    }
  });
  try {
    for (const _token of parser.parse(text));
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
  }
  return at;
}

class Refused extends Error {
  constructor(readonly problem: StructureProblem) {
    super(problem.message);
  }
}

/**
 * What would make turning the parsed document into values fail or explode: too deep a nesting,
 * an alias with no anchor before it (or inside its own anchor), aliases that expand too far.
 */
export function structureProblem(doc: Document): StructureProblem | undefined {
  const anchors = new Map<string, number>();
  let values = 0;
  const fail = (node: unknown, path: PropertyKey[], message: string): never => {
    throw new Refused({ offset: (node as { range?: [number] } | null)?.range?.[0], path, message });
  };
  /** Values under the node, aliases expanded. Depth is bounded, so recursion is safe. */
  const walk = (node: unknown, path: PropertyKey[], depth: number): number => {
    if (depth > MAX_NESTING) fail(node, path.slice(0, 3), `nested more than ${MAX_NESTING} levels deep`);
    if (isAlias(node)) {
      const size = anchors.get(node.source);
      if (size === undefined) fail(node, path, `alias *${node.source} has no anchor &${node.source} before it`);
      if (size === OPEN) fail(node, path, `alias *${node.source} is inside its own anchor`);
      values += size!;
      if (values > MAX_VALUES) fail(node, path, `aliases expand the file to more than ${MAX_VALUES.toLocaleString('en-US')} values`);
      return size!;
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) anchors.set(anchor, OPEN);
    let size = 1;
    values++;
    if (isMap(node)) {
      for (const pair of node.items) {
        size += walk(pair.key, path, depth + 1);
        size += walk(pair.value, [...path, isScalar(pair.key) ? String(pair.key.value) : '?'], depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => (size += walk(item, [...path, i], depth + 1)));
    }
    if (anchor) anchors.set(anchor, size);
    return size;
  };
  try {
    walk(doc.contents, [], 0);
    return undefined;
  } catch (err) {
    if (err instanceof Refused) return err.problem;
    throw err;
  }
}
