/** Deepest nesting of objects and arrays a request may have (real requests stay under 20). */
export const MAX_JSON_DEPTH = 128;

/**
 * Whether no object or array in `root` sits deeper than `max` levels. Iterative, so a body nested
 * 10,000 levels deep is measured, not a stack overflow; checked once after parsing, so the code
 * that walks a request recursively later never meets such a body.
 */
export function withinDepth(root: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (root === null || typeof root !== 'object') return true;
  // Two parallel stacks (nodes and their depths): no pair allocated per object.
  const nodes: object[] = [root];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > max) return false;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (child !== null && typeof child === 'object') {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return true;
}
