// Which proxy a provider's logins and refreshes go through: the proxy_url of the instance whose
// `oauth:` settings apply, else of the provider's first instance, else the top-level one; none
// at all leaves the environment's proxy in charge.
import { parseGatewayConfig } from '../config/config.loader';
import type { OAuthDefinition } from './oauth-definition';
import { resolveOAuthDefinition } from './resolve-oauth-definition';

const CODEX: OAuthDefinition = {
  provider: 'codex',
  displayName: 'ChatGPT (Codex)',
  flow: 'authorization-code',
  clientId: 'client',
  scopes: ['openid'],
  pkce: true,
  tokenUrl: 'https://auth.example/oauth/token',
  exchangeEncoding: 'form',
  refreshEncoding: 'json',
  refreshable: true,
};
const definitions = { codex: CODEX };
const config = (text: string) => parseGatewayConfig(text, 'providers.yaml', {});

describe('the proxy of an OAuth definition', () => {
  it('is that of the instance whose oauth settings apply', () => {
    const resolved = resolveOAuthDefinition(
      'codex',
      definitions,
      config('proxy_url: http://top:3128\nproviders:\n  codex:\n    proxy_url: http://first:3128\n  codex-b:\n    type: codex\n    proxy_url: none\n    oauth:\n      client_id: other\n'),
    );
    expect(resolved).toMatchObject({ clientId: 'other', proxyUrl: 'none' });
  });

  it("is the provider's first instance's (its own or the top-level one) when none has oauth settings", () => {
    expect(resolveOAuthDefinition('codex', definitions, config('providers:\n  work:\n    type: codex\n    proxy_url: http://egress:8080\n'))?.proxyUrl).toBe('http://egress:8080');
    expect(resolveOAuthDefinition('codex', definitions, config('proxy_url: http://top:3128\nproviders:\n  codex: {}\n'))?.proxyUrl).toBe('http://top:3128');
  });

  it('is the top-level one when the provider has no instance, and unset without any', () => {
    expect(resolveOAuthDefinition('codex', definitions, config('proxy_url: http://top:3128\n'))?.proxyUrl).toBe('http://top:3128');
    expect(resolveOAuthDefinition('codex', definitions, config('providers:\n  codex: {}\n'))?.proxyUrl).toBeUndefined();
  });
});
