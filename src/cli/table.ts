/**
 * A plain text table for the terminal: left-aligned columns, two spaces apart. With `blankRepeats`
 * set to a column index, a cell equal to the one above it in columns up to that index is left
 * blank (an alias's chain reads as one group).
 */
export function table(header: string[], rows: string[][], opts: { blankRepeats?: number } = {}): string {
  const shown = rows.map((row, i) =>
    row.map((cell, c) =>
      opts.blankRepeats !== undefined && c <= opts.blankRepeats && i > 0 && sameUpTo(rows[i - 1], row, c)
        ? ''
        : cell,
    ),
  );
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : (cell ?? '').padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), ...shown.map(line)].join('\n');
}

function sameUpTo(a: string[], b: string[], c: number): boolean {
  for (let i = 0; i <= c; i++) if (a[i] !== b[i]) return false;
  return true;
}
