import { maskSecret } from './mask-secret';

describe('maskSecret', () => {
  it('keeps the prefix and the last four characters of a long key', () => {
    expect(maskSecret('sk-proj-0123456789abcdefWXYZ')).toBe('sk-…WXYZ');
    expect(maskSecret('sk-ant-api03-aaaaaaaaaaaaaaaa1234')).toBe('sk-…1234');
    expect(maskSecret('0123456789abcdef9876')).toBe('…9876');
  });

  it('shows nothing of a short secret', () => {
    expect(maskSecret('sk-short')).toBe('sk-…');
    expect(maskSecret('abc')).toBe('…');
  });
});
