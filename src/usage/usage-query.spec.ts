import { parseGrouping, parseSince, UsageQueryError } from './usage-query';

const NOW = Date.UTC(2026, 11, 3, 12);

describe('parseSince', () => {
  it.each([
    ['30m', NOW - 30 * 60_000],
    ['24h', NOW - 24 * 3_600_000],
    ['7d', NOW - 7 * 86_400_000],
    ['2W', NOW - 14 * 86_400_000],
    ['2026-12-01', Date.UTC(2026, 11, 1)],
    ['2026-12-01T08:30:00Z', Date.UTC(2026, 11, 1, 8, 30)],
  ])('reads %s', (text, at) => {
    expect(parseSince(text, NOW)).toBe(at);
  });

  it.each(['yesterday', '24', 'h', '-1d', '2026-13-45'])('refuses %j with what would do', (text) => {
    expect(() => parseSince(text, NOW)).toThrow(UsageQueryError);
    expect(() => parseSince(text, NOW)).toThrow(/use a duration such as 30m, 24h, 7d or 2w/);
  });
});

describe('parseGrouping', () => {
  it('reads each grouping, in any case', () => {
    expect(['key', 'Model', 'ACCOUNT', 'instance'].map(parseGrouping)).toEqual(['key', 'model', 'account', 'instance']);
  });

  it('refuses another, naming the ones there are', () => {
    expect(() => parseGrouping('user')).toThrow('"user" is not a grouping: use one of key, model, account, instance.');
  });
});
