// Covers nearest-key.ts: editDistance (Levenshtein with adjacent transpositions as one edit)
// and nearestKey, the "did you mean" for a misspelt configuration key — a close typo gets the
// right key, an unrelated word gets none.
import { editDistance, nearestKey } from './nearest-key';

const SERVER_KEYS = ['host', 'port', 'body_limit', 'shutdown_timeout_ms', 'sse_keepalive_ms'];
const INSTANCE_KEYS = ['type', 'enabled', 'base_url', 'api_key', 'api_keys', 'models', 'headers', 'timeout_ms'];
const TOP_KEYS = ['version', 'server', 'providers'];

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['port', 'port', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['port', 'ports', 1], // insertion
    ['ports', 'port', 1], // deletion
    ['port', 'part', 1], // substitution
    ['prot', 'port', 1], // adjacent transposition counts as one edit
    ['ab', 'ba', 1],
    ['modles', 'models', 1],
    ['hsot', 'host', 1],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    // Restricted (optimal string alignment) distance: a transposed pair is not edited again.
    ['ca', 'abc', 3],
    ['Port', 'port', 1], // case-sensitive; nearestKey lowercases first
  ])('from %j to %j is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('nearestKey', () => {
  it.each([
    ['prot', SERVER_KEYS, 'port'],
    ['hots', SERVER_KEYS, 'host'],
    ['PORT', SERVER_KEYS, 'port'],
    ['body_limt', SERVER_KEYS, 'body_limit'],
    ['bodylimit', SERVER_KEYS, 'body_limit'],
    ['sse_keepalive', SERVER_KEYS, 'sse_keepalive_ms'], // 3 edits, the most ever allowed
    ['bse_url', INSTANCE_KEYS, 'base_url'],
    ['base-url', INSTANCE_KEYS, 'base_url'],
    ['apikey', INSTANCE_KEYS, 'api_key'],
    ['api_kyes', INSTANCE_KEYS, 'api_keys'],
    ['modles', INSTANCE_KEYS, 'models'],
    ['model', INSTANCE_KEYS, 'models'],
    ['header', INSTANCE_KEYS, 'headers'],
    ['enable', INSTANCE_KEYS, 'enabled'],
    ['provider', TOP_KEYS, 'providers'],
    ['Providers', TOP_KEYS, 'providers'],
    ['sever', TOP_KEYS, 'server'],
  ])('suggests %j → %j', (wrong, valid, expected) => {
    expect(nearestKey(wrong, valid)).toBe(expected);
  });

  it.each([
    ['colour', INSTANCE_KEYS],
    ['region', INSTANCE_KEYS],
    ['transport', INSTANCE_KEYS],
    ['listen', SERVER_KEYS],
    ['hostname', SERVER_KEYS], // 4 edits from "host": too far
    ['timeout', INSTANCE_KEYS], // 3 edits from "timeout_ms", but a 7-letter word allows only 2
    ['backends', TOP_KEYS],
  ])('offers nothing for %j', (wrong, valid) => {
    expect(nearestKey(wrong, valid)).toBeUndefined();
  });

  it('allows one edit even for a very short word', () => {
    expect(nearestKey('prt', ['port'])).toBe('port');
    expect(nearestKey('x', ['y'])).toBe('y');
    expect(nearestKey('ab', ['abcd'])).toBeUndefined();
  });

  it('never allows more than three edits, however long the word', () => {
    const key = 'shutdown_timeout_ms';
    expect(nearestKey('shutdown_timeout', [key])).toBe(key); // 3 edits
    expect(nearestKey('shutdown_timeou', [key])).toBeUndefined(); // 4 edits
  });

  it('prefers the closer key, and the first listed on a tie', () => {
    expect(nearestKey('api_keyz', ['api_key', 'api_keys'])).toBe('api_key');
    expect(nearestKey('api_keyss', ['api_key', 'api_keys'])).toBe('api_keys');
    expect(nearestKey('hst', ['host', 'hast'])).toBe('host');
    expect(nearestKey('hst', ['hast', 'host'])).toBe('hast');
  });

  it('returns the key as it is written, not lowercased', () => {
    expect(nearestKey('x-tema', ['X-Team'])).toBe('X-Team');
  });

  it('offers nothing when there are no valid keys', () => {
    expect(nearestKey('port', [])).toBeUndefined();
  });
});
