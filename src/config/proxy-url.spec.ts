// `proxy_url` in providers.yaml (issue 17): at the top level and per instance, an http(s) or
// socks5(h) URL or `none`; the top-level value is every instance's default; SOCKS4 and anything else refused with
// a message that says what to write, at the field's line, never echoing the URL (it may hold a
// password).
import { ConfigError } from './config-error';
import { parseGatewayConfig } from './config.loader';
import type { GatewayConfig } from './gateway-config';

const yaml = (...lines: string[]): string => lines.join('\n') + '\n';
const load = (text: string, env: NodeJS.ProcessEnv = {}): GatewayConfig => parseGatewayConfig(text, 'providers.yaml', env);

function problems(text: string): ConfigError['issues'] {
  try {
    load(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const proxyOf = (config: GatewayConfig, name: string) => config.providers.find((p) => p.name === name)?.settings.proxy_url;

describe('proxy_url', () => {
  it('takes an http or https proxy per instance, credentials included', () => {
    const config = load(
      yaml(
        'providers:',
        '  a:',
        '    type: openai-compatible',
        '    proxy_url: http://user:p%40ss@proxy.corp:3128',
        '  b:',
        '    type: openai-compatible',
        '    proxy_url: https://proxy.corp',
      ),
    );
    expect(proxyOf(config, 'a')).toBe('http://user:p%40ss@proxy.corp:3128');
    expect(proxyOf(config, 'b')).toBe('https://proxy.corp');
    expect(config.proxy).toBeUndefined();
  });

  it('gives the top-level proxy to every instance that sets none, in settings and raw alike', () => {
    const config = load(
      yaml(
        'proxy_url: http://proxy.corp:3128',
        'providers:',
        '  inherits:',
        '    type: openai-compatible',
        '  empty:',
        '    type: openai-compatible',
        '    proxy_url: ""',
        '  own:',
        '    type: openai-compatible',
        '    proxy_url: http://egress.corp:8080',
        '  direct:',
        '    type: openai-compatible',
        '    proxy_url: none',
      ),
    );
    expect(config.proxy).toBe('http://proxy.corp:3128');
    expect(proxyOf(config, 'inherits')).toBe('http://proxy.corp:3128');
    expect(proxyOf(config, 'empty')).toBe('http://proxy.corp:3128');
    expect(proxyOf(config, 'own')).toBe('http://egress.corp:8080');
    expect(proxyOf(config, 'direct')).toBe('none');
    // The registry validates `raw` again against the plugin's schema: it must carry the proxy too.
    expect(config.providers.find((p) => p.name === 'inherits')?.raw.proxy_url).toBe('http://proxy.corp:3128');
  });

  it('treats an empty value from the environment as not set', () => {
    const config = load(yaml('proxy_url: ${CORP_PROXY:-}', 'providers:', '  a:', '    type: openai-compatible', '    proxy_url: ${A_PROXY:-}'));
    expect(config.proxy).toBeUndefined();
    expect(proxyOf(config, 'a')).toBeUndefined();
  });

  it('takes SOCKS5 proxies, resolving names here (socks5) or at the proxy (socks5h)', () => {
    const config = load(
      yaml('proxy_url: socks5h://proxy.corp:1080', 'providers:', '  a:', '    type: openai-compatible', '    proxy_url: socks5://user:p%40ss@[::1]:1080', '  b:', '    type: openai-compatible'),
    );
    expect(proxyOf(config, 'a')).toBe('socks5://user:p%40ss@[::1]:1080');
    expect(proxyOf(config, 'b')).toBe('socks5h://proxy.corp:1080');
  });

  it.each(['socks4://proxy.corp:1080', 'socks4a://proxy.corp:1080', 'socks://proxy.corp:1080'])('refuses %s by name, saying what to write', (value) => {
    const [issue] = problems(yaml('providers:', '  a:', '    type: openai-compatible', `    proxy_url: ${value}`));
    expect(issue).toMatchObject({ path: 'providers.a.proxy_url', line: 4 });
    expect(issue.message).toBe('names a SOCKS4 proxy (or SOCKS without a version); write socks5://host:1080, or socks5h://host:1080 to let the proxy resolve names');
  });

  it.each([
    ['a bare host', 'proxy.corp:3128'],
    ['another scheme', 'ftp://proxy.corp'],
    ['a path', 'http://proxy.corp:3128/squid'],
    ['a SOCKS5 proxy with a path', 'socks5://proxy.corp:1080/x'],
    ['a word other than none', 'direct'],
  ])('refuses %s at the top level, with what to write instead', (_what, value) => {
    const [issue] = problems(yaml('server:', '  port: 8018', `proxy_url: ${value}`));
    expect(issue).toMatchObject({ path: 'proxy_url', line: 3 });
    expect(issue.message).toBe(
      'must be a proxy URL such as http://proxy.example.com:3128 or socks5://proxy.example.com:1080 (credentials as http://user:password@host:3128), or "none" for a direct connection',
    );
  });

  it('never echoes the value it refuses: a proxy URL may hold a password', () => {
    for (const value of ['socks4://user:hunter2-secret@proxy.corp:1080', 'http://user:hunter2-secret@proxy.corp:3128/path']) {
      const issues = problems(yaml('providers:', '  a:', '    type: openai-compatible', `    proxy_url: ${value}`));
      expect(JSON.stringify(issues)).not.toContain('hunter2-secret');
    }
  });
});
