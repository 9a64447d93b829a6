import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { MockAgent } from 'undici';
import { join } from 'node:path';
import { ImportError } from '../../auth/importers/import-error';
import { refreshTokens } from '../../auth/token-client';
import { kiroIdeAccount } from './kiro-ide.importer';
import { KIRO_OAUTH, kiroRefreshRequest, kiroTokenAnswer } from './kiro.oauth';
import { kiroModelId } from './kiro.catalog';

const ARN = 'arn:aws:codewhisperer:eu-central-1:123456789012:profile/ABC';

describe('Kiro IDE login import', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kiro-import-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a social login: tokens, ISO expiry, the profile ARN and its region as claims', () => {
    const account = kiroIdeAccount(
      { accessToken: 'at', refreshToken: 'rt', expiresAt: '2026-12-05T10:00:00.000Z', profileArn: ARN, authMethod: 'social', provider: 'Github' },
      join(dir, 'kiro-auth-token.json'),
    );
    expect(account).toEqual({
      provider: 'kiro',
      accountId: 'kiro-ide',
      label: 'Kiro (Github)',
      tokens: { accessToken: 'at', refreshToken: 'rt' },
      expiresAt: Date.parse('2026-12-05T10:00:00.000Z'),
      claims: { auth_method: 'social', profile_arn: ARN, region: 'eu-central-1', login_provider: 'Github' },
    });
  });

  it('reads an IdC login with the client registration its clientIdHash names; the secret stays with the tokens', () => {
    writeFileSync(join(dir, 'h4sh.json'), JSON.stringify({ clientId: 'cid', clientSecret: 'csecret' }));
    const token = { accessToken: 'at', refreshToken: 'rt', authMethod: 'IdC', region: 'us-west-2', clientIdHash: 'h4sh' };
    writeFileSync(join(dir, 'kiro-auth-token.json'), JSON.stringify(token));
    const account = kiroIdeAccount(token, join(dir, 'kiro-auth-token.json'));
    expect(account.tokens).toEqual({ accessToken: 'at', refreshToken: 'rt', clientSecret: 'csecret' });
    expect(account.claims).toEqual({ auth_method: 'idc', region: 'us-west-2', client_id: 'cid' });
  });

  it('takes an IdC client from the JSON itself (the admin API\'s body), and never looks for files beside a body', () => {
    const inline = kiroIdeAccount({ accessToken: 'at', refreshToken: 'rt', authMethod: 'IdC', clientId: 'cid', clientSecret: 'cs' }, 'the request body');
    expect(inline.tokens.clientSecret).toBe('cs');
    expect(() => kiroIdeAccount({ accessToken: 'at', refreshToken: 'rt', authMethod: 'IdC', clientIdHash: 'h4sh' }, 'the request body')).toThrow(/client registration/);
  });

  it.each([
    [{ refreshToken: 'rt', profileArn: ARN }, /missing accessToken/],
    [{ accessToken: 'at', profileArn: ARN }, /missing refreshToken/],
    [{ accessToken: 'at', refreshToken: 'rt' }, /missing profileArn/],
    [{ accessToken: 'at', refreshToken: 'rt', profileArn: 'nope' }, /not a CodeWhisperer profile ARN/],
    [{ accessToken: 'at', refreshToken: 'rt', authMethod: 'IdC', clientIdHash: 'absent' }, /client registration .* was not found/],
    [{ accessToken: 'at', refreshToken: 'rt', profileArn: ARN, expiresAt: 'soon' }, /expiresAt is not a time/],
  ])('refuses %j with a message that says what is wrong', (json, message) => {
    expect(() => kiroIdeAccount(json, join(dir, 'kiro-auth-token.json'))).toThrow(ImportError);
    expect(() => kiroIdeAccount(json, join(dir, 'kiro-auth-token.json'))).toThrow(message);
  });
});

describe('Kiro refresh', () => {
  it('refreshes a social login at Kiro\'s auth service of its region', () => {
    expect(kiroRefreshRequest(KIRO_OAUTH, { refreshToken: 'rt', claims: { auth_method: 'social', profile_arn: ARN } })).toEqual({
      url: 'https://prod.eu-central-1.auth.desktop.kiro.dev/refreshToken',
      encoding: 'json',
      params: { refreshToken: 'rt' },
    });
  });

  it('refreshes an IdC login at SSO-OIDC with its client, and refuses one without a client secret', () => {
    expect(kiroRefreshRequest(KIRO_OAUTH, { refreshToken: 'rt', clientSecret: 's', claims: { auth_method: 'idc', region: 'us-west-2', client_id: 'c' } })).toEqual({
      url: 'https://oidc.us-west-2.amazonaws.com/token',
      encoding: 'json',
      params: { clientId: 'c', clientSecret: 's', grantType: 'refresh_token', refreshToken: 'rt' },
    });
    expect(() => kiroRefreshRequest(KIRO_OAUTH, { refreshToken: 'rt', claims: { auth_method: 'idc', client_id: 'c' } })).toThrow(/no client registration/);
  });

  it('sends both kinds to a token_url override', () => {
    const overridden = { ...KIRO_OAUTH, tokenUrl: 'http://127.0.0.1:1/refreshToken' };
    expect(kiroRefreshRequest(overridden, { refreshToken: 'rt', clientSecret: 's', claims: { auth_method: 'idc', client_id: 'c' } }).url).toBe('http://127.0.0.1:1/refreshToken');
  });

  it('reads camelCase token answers, profile ARN included', async () => {
    expect(kiroTokenAnswer({ accessToken: 'a', refreshToken: 'r', expiresIn: 3600, profileArn: ARN })).toEqual({ access_token: 'a', refresh_token: 'r', expires_in: 3600, profile_arn: ARN });
    // Through the token client, with a fake dispatcher: the claims get the new profile ARN.
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get('https://prod.us-east-1.auth.desktop.kiro.dev')
      .intercept({ path: '/refreshToken', method: 'POST', body: JSON.stringify({ refreshToken: 'rt' }) })
      .reply(200, { accessToken: 'new-at', refreshToken: 'new-rt', expiresIn: 3600, profileArn: ARN }, { headers: { 'content-type': 'application/json' } });
    const obtained = await refreshTokens(KIRO_OAUTH, 'rt', { dispatcher: agent, now: () => 1_000 }, { claims: { auth_method: 'social' } });
    expect(obtained).toMatchObject({ tokens: { accessToken: 'new-at', refreshToken: 'new-rt' }, expiresAt: 1_000 + 3_600_000, claims: { profile_arn: ARN } });
    await agent.close();
  });
});

describe('kiroModelId', () => {
  it.each([
    ['kiro-claude-sonnet-4-5', 'claude-sonnet-4.5'],
    ['kiro-default', 'claude-sonnet-4.5'],
    ['kiro-claude-opus-4-7-20260101', 'claude-opus-4.7'],
    ['kiro-claude-sonnet-4', 'claude-sonnet-4'],
  ])('%s → %s', (model, id) => expect(kiroModelId(model)).toBe(id));
});
