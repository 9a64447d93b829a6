// A label value from an open set (model names a client typed, client key names) kept bounded: the
// first `max` distinct values are used as they are, later new ones become `other`. A scraper's
// series count stays bounded whatever callers send, and the common values — seen first, in
// practice — keep their own series.
export const OTHER_LABEL = 'other';

export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return OTHER_LABEL;
    this.seen.add(value);
    return value;
  }
}
