// Small text helpers for command output: durations, tables.

/** "in 3 h", "in 12 min", "2 days ago", "never". */
export function relativeTime(at: number | undefined, now = Date.now()): string {
  if (at === undefined) return 'never';
  const delta = at - now;
  const abs = Math.abs(delta);
  const unit =
    abs < 90_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 90 * 60_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 36 * 3_600_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} days`;
  return delta >= 0 ? `in ${unit}` : `${unit} ago`;
}

/** Left-aligned columns, two spaces apart, header first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
