// Covers jwt.ts: claims and `exp` read out of a JWT payload, and undefined (never a throw) for
// anything that is not one.
import { decodeJwtPayload, jwtExpiresAt } from './jwt';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: unknown): string => `${encode({ alg: 'RS256' })}.${encode(payload)}.c2ln`;

describe('decodeJwtPayload', () => {
  it('reads the claims of a JWT, namespaced ones included', () => {
    const token = jwt({ email: 'a@b.c', exp: 1_800_000_000, 'https://api.openai.com/auth': { chatgpt_account_id: 'acc-1' } });
    expect(decodeJwtPayload(token)).toEqual({
      email: 'a@b.c',
      exp: 1_800_000_000,
      'https://api.openai.com/auth': { chatgpt_account_id: 'acc-1' },
    });
  });

  it('accepts padded base64 payloads', () => {
    const padded = Buffer.from(JSON.stringify({ a: 1 })).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    expect(decodeJwtPayload(`x.${padded}.y`)).toEqual({ a: 1 });
  });

  it.each([
    ['not a string', 42],
    ['undefined', undefined],
    ['an opaque token', 'sk-ant-oat01-abcdef'],
    ['two parts', `${encode({ a: 1 })}.${encode({ b: 2 })}`],
    ['four parts', 'a.b.c.d'],
    ['an empty payload', 'a..c'],
    ['a payload that is not base64url', 'a.$$$.c'],
    ['a payload that is not JSON', `a.${Buffer.from('not json').toString('base64url')}.c`],
    ['a JSON array payload', `a.${encode([1, 2])}.c`],
    ['a JSON null payload', `a.${encode(null)}.c`],
  ])('gives undefined for %s', (_label, value) => {
    expect(decodeJwtPayload(value)).toBeUndefined();
  });
});

describe('jwtExpiresAt', () => {
  it('turns `exp` seconds into ms', () => {
    expect(jwtExpiresAt(jwt({ exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
  });

  it.each([[{}], [{ exp: 'tomorrow' }], [{ exp: -5 }]])('gives undefined for %j', (payload) => {
    expect(jwtExpiresAt(jwt(payload))).toBeUndefined();
  });

  it('gives undefined for garbage', () => {
    expect(jwtExpiresAt('garbage')).toBeUndefined();
  });
});
