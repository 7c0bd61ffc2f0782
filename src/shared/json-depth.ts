/** Deepest nesting of objects and arrays a request may have (real requests stay under 20). */
export const MAX_JSON_DEPTH = 128;

/**
 * Whether no object or array in `root` sits deeper than `max` levels. Iterative, so a body nested
 * 10,000 levels deep is measured, not a stack overflow; checked once after parsing, so the code
 * that walks a request recursively later never meets such a body.
 */
export function withinDepth(root: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (root === null || typeof root !== 'object') return true;
  const stack: Array<[object, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return false;
    const values: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (const child of values)
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return true;
}
