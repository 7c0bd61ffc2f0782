import { isAlias, isCollection, isPair, isScalar, type Document, type Node } from 'yaml';

/** Most nodes a config may expand to once YAML aliases are resolved; a real file has a few hundred. */
export const MAX_EXPANDED_NODES = 100_000;

/**
 * How many nodes the document becomes once every alias (`*a`, `<<: *a`) is replaced by what it
 * names, counted without expanding anything: each anchored node's size is computed once and
 * reused, so a "billion laughs" file is measured in the time it takes to read it. Counting stops
 * at `cap` (the answer is then `cap + 1`).
 */
export function expandedSize(doc: Document, cap: number = MAX_EXPANDED_NODES): number {
  const memo = new Map<Node, number>();
  const visiting = new Set<Node>();
  // Anchors as the parser sees them, in document order: an alias names the latest one before it.
  const anchors = new Map<string, Node>();
  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 1;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      return target ? size(target) : 1;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node as Node);
    if (isScalar(node)) return 1;
    if (isPair(node)) return Math.min(cap + 1, size(node.key) + size(node.value));
    if (!isCollection(node)) return 1;
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (visiting.has(node)) return cap + 1; // an alias inside its own anchor
    visiting.add(node);
    let n = 1;
    for (const item of node.items) {
      n += size(item);
      if (n > cap) break;
    }
    visiting.delete(node);
    n = Math.min(n, cap + 1);
    memo.set(node, n);
    return n;
  };
  return size(doc.contents);
}
