// The access mode rules, the loopback test behind the open-gateway check, and the small parsers
// the guard relies on (where keys come from, what a scope covers).
import { checkOpenMode, effectiveMode, isLoopbackHost } from './access-mode';
import { parseDuration, parseModels } from './client-key-specs';
import { scopeAllows } from './model-scope';
import { presentedKeys } from './presented-keys';

describe('effectiveMode', () => {
  it.each<[string, Parameters<typeof effectiveMode>[0], boolean, string]>([
    ['nothing said, no key', { keys: [] }, false, 'open'],
    ['nothing said, a stored key', { keys: [] }, true, 'keys'],
    ['nothing said, a static key', { keys: ['k'.repeat(16)] }, false, 'keys'],
    ['open said, keys exist', { mode: 'open', keys: ['k'.repeat(16)] }, true, 'open'],
    ['keys said, no key', { mode: 'keys', keys: [] }, false, 'keys'],
  ])('%s → %s', (_label, settings, stored, mode) => {
    expect(effectiveMode(settings, stored)).toBe(mode);
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST', 'api.localhost', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'gateway.internal', '128.0.0.1', '::2'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('checkOpenMode', () => {
  it('refuses open-by-default on a network address, warns when the file asked for it', () => {
    expect(checkOpenMode({ keys: [] }, false, '0.0.0.0').kind).toBe('refuse');
    expect(checkOpenMode({ mode: 'open', keys: [] }, false, '0.0.0.0').kind).toBe('warn');
    expect(checkOpenMode({ keys: [] }, false, '127.0.0.1').kind).toBe('fine');
    expect(checkOpenMode({ keys: [] }, true, '0.0.0.0').kind).toBe('fine');
  });
});

describe('presentedKeys', () => {
  it('reads Bearer (any case), x-api-key and x-goog-api-key, trimmed, without duplicates', () => {
    expect(presentedKeys({ authorization: 'bearer  bk-a ', 'x-api-key': 'bk-b', 'x-goog-api-key': 'bk-a' })).toEqual(['bk-a', 'bk-b']);
    expect(presentedKeys({ authorization: 'Basic dXNlcjpwYXNz' })).toEqual([]);
    expect(presentedKeys({ 'x-api-key': '' })).toEqual([]);
  });
});

describe('scopeAllows', () => {
  it('allows everything with an empty scope, globs otherwise, instance-qualified names by their model', () => {
    expect(scopeAllows([], 'anything')).toBe(true);
    expect(scopeAllows(['gpt-5*'], 'gpt-5.1-codex')).toBe(true);
    expect(scopeAllows(['gpt-5*'], 'codex/gpt-5.1')).toBe(true);
    expect(scopeAllows(['gpt-5*'], 'gpt-4o')).toBe(false);
    expect(scopeAllows(['claude-*'], 'x/gpt-5')).toBe(false);
  });
});

describe('CLI and admin parsers', () => {
  it('reads durations and model lists', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('0d')).toBeUndefined();
    expect(parseDuration('30 days')).toBeUndefined();
    expect(parseModels('gpt-5*, claude-*')).toEqual(['gpt-5*', 'claude-*']);
    expect(parseModels('all')).toEqual([]);
    expect(parseModels('*')).toEqual([]);
  });
});
