import { BoundedLabel, OTHER_LABEL } from './bounded-label';

describe('BoundedLabel', () => {
  it('keeps the first values as they are and folds later new ones into other', () => {
    const label = new BoundedLabel(2);
    expect(label.of('a')).toBe('a');
    expect(label.of('b')).toBe('b');
    expect(label.of('c')).toBe(OTHER_LABEL);
    // Values seen before the bound keep their series.
    expect(label.of('a')).toBe('a');
    expect(label.of('b')).toBe('b');
  });
});
