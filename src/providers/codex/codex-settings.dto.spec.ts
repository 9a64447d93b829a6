// A codex instance's own keys in providers.yaml: accepted values, and the messages for wrong ones.
import { validateSection } from '../../config/validate-section';
import { CodexSettingsDto } from './codex-settings.dto';

const nowhere = () => undefined;
const check = (raw: object) => validateSection(CodexSettingsDto, raw, ['providers', 'codex'], nowhere).issues;

describe('CodexSettingsDto', () => {
  it('accepts the transports, a ws:// or wss:// URL and a pool size', () => {
    expect(check({ transport: 'websocket', ws_url: 'wss://chatgpt.com/backend-api/codex/responses', ws_pool_size: 2 })).toEqual([]);
    expect(check({ transport: 'http', ws_url: 'ws://127.0.0.1:9/x', ws_pool_size: '3' })).toEqual([]);
  });

  it.each([
    [{ transport: 'grpc' }, 'providers.codex.transport', /must be "http" or "websocket"/],
    [{ ws_url: 'https://chatgpt.com/x' }, 'providers.codex.ws_url', /must be an absolute ws:\/\/ or wss:\/\/ URL/],
    [{ ws_pool_size: 0 }, 'providers.codex.ws_pool_size', /must not be less than 1/],
    [{ transprot: 'websocket' }, 'providers.codex.transprot', /unknown key; did you mean "transport"\?/],
  ])('rejects %j at %s', (raw, path, message) => {
    const issues = check(raw);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe(path);
    expect(issues[0].message).toMatch(message);
  });
});
