// The proxy rule shared by HTTP and WebSockets: which environment variables count, how NO_PROXY
// matches (as undici's EnvHttpProxyAgent does, so both transports agree), and how an instance's
// proxy_url (a URL, or `none`) overrides the environment.
import type { ProviderInstanceConfigDto } from '../config/config.schema';
import { OutboundDispatchers } from './outbound-dispatchers';
import { bypassed, describeProxy, proxyForUrl, readProxyEnv } from './outbound-proxy';
import { listTimeouts, upstreamTimeouts } from './upstream-timeouts';

describe('readProxyEnv', () => {
  it('reads the upper-case names, the lower-case ones winning when both are set', () => {
    expect(readProxyEnv({ HTTPS_PROXY: 'http://upper:1', HTTP_PROXY: 'http://plain:2', NO_PROXY: 'a' })).toEqual({
      httpsProxy: 'http://upper:1',
      httpProxy: 'http://plain:2',
      noProxy: 'a',
    });
    expect(readProxyEnv({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1', no_proxy: 'b', NO_PROXY: 'a' })).toEqual({
      httpsProxy: 'http://lower:1',
      httpProxy: undefined,
      noProxy: 'b',
    });
  });

  it('takes an empty variable as unset', () => {
    expect(readProxyEnv({ https_proxy: '', HTTPS_PROXY: 'http://upper:1', HTTP_PROXY: '  ' })).toEqual({ httpsProxy: 'http://upper:1', httpProxy: undefined, noProxy: undefined });
  });
});

describe('proxyForUrl', () => {
  const env = { httpProxy: 'http://plain:3128', httpsProxy: 'http://secure:3128', noProxy: 'localhost,.internal.corp, 10.0.0.5:8080' };

  it('picks the environment proxy by the target scheme, HTTP_PROXY standing in for HTTPS_PROXY', () => {
    expect(proxyForUrl('https://api.openai.com/v1', undefined, env)).toBe('http://secure:3128');
    expect(proxyForUrl('wss://chatgpt.com/backend-api/codex/responses', undefined, env)).toBe('http://secure:3128');
    expect(proxyForUrl('http://vllm.lan/v1', undefined, env)).toBe('http://plain:3128');
    expect(proxyForUrl('ws://vllm.lan/ws', undefined, env)).toBe('http://plain:3128');
    expect(proxyForUrl('https://api.openai.com', undefined, { httpProxy: 'http://plain:3128' })).toBe('http://plain:3128');
    expect(proxyForUrl('http://vllm.lan', undefined, { httpsProxy: 'http://secure:3128' })).toBeUndefined();
  });

  it('goes direct to the hosts NO_PROXY names', () => {
    expect(proxyForUrl('http://localhost:8000/v1', undefined, env)).toBeUndefined();
    expect(proxyForUrl('https://llm.internal.corp/v1', undefined, env)).toBeUndefined();
    expect(proxyForUrl('http://10.0.0.5:8080/v1', undefined, env)).toBeUndefined();
    expect(proxyForUrl('http://10.0.0.5:9090/v1', undefined, env)).toBe('http://plain:3128');
  });

  it('uses the instance proxy for every target, and none means direct', () => {
    expect(proxyForUrl('http://localhost:8000', 'http://egress:8080', env)).toBe('http://egress:8080');
    expect(proxyForUrl('https://api.openai.com', 'none', env)).toBeUndefined();
    expect(proxyForUrl('https://api.openai.com', undefined, {})).toBeUndefined();
  });
});

describe('bypassed (NO_PROXY)', () => {
  const url = (text: string) => new URL(text);

  it('matches a host and its subdomains, not a longer name that ends the same', () => {
    expect(bypassed(url('https://corp.com'), 'corp.com')).toBe(true);
    expect(bypassed(url('https://api.corp.com'), 'corp.com')).toBe(true);
    expect(bypassed(url('https://api.corp.com'), '*.corp.com')).toBe(true);
    expect(bypassed(url('https://notcorp.com'), 'corp.com')).toBe(false);
  });

  it('takes a port only on that port, the default port counting', () => {
    expect(bypassed(url('https://corp.com'), 'corp.com:443')).toBe(true);
    expect(bypassed(url('http://corp.com'), 'corp.com:443')).toBe(false);
  });

  it('takes * as everything and nothing as nothing', () => {
    expect(bypassed(url('https://any.where'), '*')).toBe(true);
    expect(bypassed(url('https://any.where'), undefined)).toBe(false);
    expect(bypassed(url('https://any.where'), ' , ')).toBe(false);
  });

  it('matches IPv6 literals in brackets', () => {
    expect(bypassed(url('http://[::1]:8000'), '[::1]')).toBe(true);
  });
});

describe('describeProxy', () => {
  it('leaves out user and password', () => {
    expect(describeProxy('http://user:secret@proxy.corp:3128')).toBe('http://[credentials]@proxy.corp:3128');
    expect(describeProxy('https://proxy.corp')).toBe('https://proxy.corp');
  });
});

describe('the instance settings an upstream call carries', () => {
  it('include its proxy_url, for requests and model lists alike', () => {
    const settings = { proxy_url: 'http://egress:8080' } as ProviderInstanceConfigDto;
    expect(upstreamTimeouts(settings, undefined).proxy).toBe('http://egress:8080');
    expect(listTimeouts(settings, undefined).proxy).toBe('http://egress:8080');
    expect(upstreamTimeouts({} as ProviderInstanceConfigDto, undefined).proxy).toBeUndefined();
  });
});

describe('OutboundDispatchers.webSocketAgent', () => {
  const outbound = new OutboundDispatchers({ httpsProxy: 'http://user:pw@secure:3128', noProxy: 'internal.corp' });
  afterAll(() => outbound.close());

  it('gives a socket a proxy agent unless it goes direct, one agent per proxy', () => {
    const agent = outbound.webSocketAgent('wss://chatgpt.com/backend-api/codex/responses', undefined);
    expect(agent).toBeDefined();
    expect(outbound.webSocketAgent('wss://other.example/ws', undefined)).toBe(agent);
    expect(outbound.webSocketAgent('wss://ws.internal.corp/ws', undefined)).toBeUndefined();
    expect(outbound.webSocketAgent('wss://chatgpt.com/ws', 'none')).toBeUndefined();
    expect(outbound.webSocketAgent('wss://chatgpt.com/ws', 'http://egress:8080')).not.toBe(agent);
  });
});
