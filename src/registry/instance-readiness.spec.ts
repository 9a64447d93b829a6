// Which instances serve requests and why not: the rule behind the startup warnings, the model
// list, the 503 and `byokey status`.
import { parseGatewayConfig } from '../config/config.loader';
import { instanceReadiness, type AccountSummary, type InstanceCredentialFacts } from './instance-readiness';

function instance(yaml: string, env: NodeJS.ProcessEnv = {}, accountsProvider?: string): InstanceCredentialFacts {
  const config = parseGatewayConfig(`providers:\n${yaml}`, 'providers.yaml', env).providers[0];
  return { name: config.name, config, accountsProvider };
}

const account = (accountId: string, status: AccountSummary['status'] = 'active', provider = 'codex'): AccountSummary => ({
  provider,
  accountId,
  status,
  isDefault: accountId === 'default',
});

describe('instanceReadiness', () => {
  it('counts an api_key whose ${ENV} came out empty as no credential, with the fix', () => {
    const openai = instance('  openai:\n    type: openai-compatible\n    base_url: http://x\n    api_key: ${OPENAI_API_KEY:-}\n');
    expect(instanceReadiness(openai, [])).toEqual({
      serves: false,
      reason: 'no-credential',
      problem: 'its api_key is empty (the environment variable it names is unset or empty)',
      fix: 'set that variable and restart (or reload), or remove api_key from providers.openai if the upstream needs no key',
    });
    const set = instance('  openai:\n    type: openai-compatible\n    base_url: http://x\n    api_key: ${OPENAI_API_KEY:-}\n', { OPENAI_API_KEY: 'sk-1' });
    expect(instanceReadiness(set, [])).toEqual({ serves: true, credentials: '1 api key' });
  });

  it('names the variable when the file named one', () => {
    const openai = { ...instance('  openai:\n    type: openai-compatible\n    base_url: http://x\n    api_key: ${OPENAI_API_KEY:-}\n'), keyVariables: ['OPENAI_API_KEY'] };
    expect(instanceReadiness(openai, [])).toMatchObject({
      serves: false,
      problem: 'its api_key is empty (OPENAI_API_KEY is unset or empty)',
      fix: 'export OPENAI_API_KEY=... and restart (or reload) byokey, or remove api_key from providers.openai if the upstream needs no key',
    });
  });

  it('serves a keyless local server that names no key', () => {
    const local = instance('  local:\n    type: openai-compatible\n    base_url: http://127.0.0.1:8000/v1\n');
    expect(instanceReadiness(local, [])).toEqual({ serves: true, credentials: 'no key needed' });
  });

  it('needs an account (or a key) for a subscription provider, and says which command gives one', () => {
    const codex = instance('  codex: {}\n', {}, 'codex');
    expect(instanceReadiness(codex, [])).toMatchObject({ serves: false, problem: 'no account for codex', fix: 'run `byokey login codex`' });
    expect(instanceReadiness(codex, [account('other', 'active', 'claude')])).toMatchObject({ serves: false, problem: 'no account for codex' });
    expect(instanceReadiness(codex, [account('default'), account('work')])).toEqual({ serves: true, credentials: 'accounts "default", "work"' });
  });

  it('names the account that needs a new login', () => {
    const codex = instance('  codex: {}\n', {}, 'codex');
    expect(instanceReadiness(codex, [account('work', 'needs_relogin')])).toMatchObject({
      serves: false,
      problem: 'the codex account "work" needs a new login',
      fix: 'run `byokey login codex --account work`',
    });
  });

  it('follows the instance\'s accounts: selection (none by default when it has a key)', () => {
    const named = instance('  codex:\n    accounts: [work]\n', {}, 'codex');
    expect(instanceReadiness(named, [account('home')])).toMatchObject({ serves: false, problem: 'no account for codex named in its accounts: (work)' });
    const keyed = instance('  codex:\n    api_key: sk-1\n', {}, 'codex');
    expect(instanceReadiness(keyed, [account('home')])).toEqual({ serves: true, credentials: '1 api key' });
  });

  it('says a disabled instance is off', () => {
    const codex = instance('  codex:\n    enabled: false\n', {}, 'codex');
    expect(instanceReadiness(codex, [account('default')])).toMatchObject({ serves: false, reason: 'disabled' });
  });
});
