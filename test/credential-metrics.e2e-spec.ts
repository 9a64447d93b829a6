// Credential states and quota windows on /metrics' registry: read at scrape time from what the
// admin API shows, so a cooldown, a login that needs renewing, a disabled account and the quota
// an upstream last reported appear in the next scrape and leave it when they are over.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsRegistry } from '../src/metrics/metrics-registry';
import { RequestRouter } from '../src/routing/request-router.service';
import { RateLimitSnapshots } from '../src/store/rate-limit-snapshots';
import { SqliteAccountStore } from '../src/store/sqlite/sqlite-account-store';
import { startGateway, type RunningGateway } from './support/gateway';

let home: string;
let gateway: RunningGateway;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'byokey-credential-metrics-'));
  const store = SqliteAccountStore.open({ home });
  for (const accountId of ['work', 'spare', 'expired', 'off']) {
    await store.save({ provider: 'codex', accountId, tokens: { accessToken: `token-${accountId}` }, expiresAt: Date.now() + 3600_000 });
  }
  await store.setStatus('codex', 'expired', 'needs_relogin', 'the refresh was refused');
  await store.setStatus('codex', 'off', 'disabled', 'turned off by an operator');
  await store.close();
  gateway = await startGateway(
    `
providers:
  codex:
    base_url: http://127.0.0.1:9
  keys:
    type: openai-compatible
    base_url: http://127.0.0.1:9/v1
    api_keys: [sk-first-key-0001, sk-second-key-0002]
    models: [m]
`,
    { home },
  );
});

afterAll(async () => {
  await gateway?.close();
  rmSync(home, { recursive: true, force: true });
});

/** The scraped text's samples of one metric, as `{labels} value` keyed by their label text. */
async function samples(name: string): Promise<Record<string, number>> {
  const text = await gateway.app.get(MetricsRegistry).scrape();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}\\{(.*)\\} (\\S+)$`).exec(line);
    if (match) out[match[1]] = Number(match[2]);
  }
  return out;
}

describe('credential metrics', () => {
  it('counts the credentials of each instance by state, cooldowns included, and sees a cooldown end', async () => {
    const states = gateway.app.get(RequestRouter).states;
    states.coolDown('account\u0000codex\u0000spare', Date.now() + 60_000, 'usage limit reached');
    states.coolDown('keys\u0000api_keys[1]', Date.now() + 60_000, 'HTTP 429');

    expect(await samples('byokey_credentials')).toEqual({
      'provider_instance="codex",state="ready"': 1,
      'provider_instance="codex",state="cooling"': 1,
      'provider_instance="codex",state="needs_login"': 1,
      'provider_instance="codex",state="disabled"': 1,
      'provider_instance="keys",state="ready"': 1,
      'provider_instance="keys",state="cooling"': 1,
      'provider_instance="keys",state="needs_login"': 0,
      'provider_instance="keys",state="disabled"': 0,
    });

    states.clearAllCooldowns();
    const after = await samples('byokey_credentials');
    expect(after['provider_instance="codex",state="ready"']).toBe(2);
    expect(after['provider_instance="codex",state="cooling"']).toBe(0);
    expect(after['provider_instance="keys",state="ready"']).toBe(2);
  });

  it('reports the quota used percent the upstream last gave for each account window', async () => {
    const snapshots = gateway.app.get(RateLimitSnapshots);
    snapshots.record('codex', 'work', { headers: { 'x-codex-primary-used-percent': '42', 'x-codex-secondary-used-percent': '7.5' } });
    // Over a WebSocket, the numbers come in a codex.rate_limits frame.
    snapshots.record('codex', 'spare', { frame: { type: 'codex.rate_limits', rate_limits: { primary: { used_percent: 93 } } } });
    expect(await samples('byokey_quota_used_percent')).toEqual({
      'provider_instance="codex",credential="account:work",window="primary"': 42,
      'provider_instance="codex",credential="account:work",window="secondary"': 7.5,
      'provider_instance="codex",credential="account:spare",window="primary"': 93,
    });

    snapshots.record('codex', 'work', { headers: { 'x-codex-primary-used-percent': '50', 'x-codex-secondary-used-percent': '8' } });
    expect((await samples('byokey_quota_used_percent'))['provider_instance="codex",credential="account:work",window="primary"']).toBe(50);
  });

  it('keeps secrets out of the scrape', async () => {
    const text = await gateway.app.get(MetricsRegistry).scrape();
    for (const secret of ['sk-first-key-0001', 'sk-second-key-0002', 'token-work', 'token-spare']) expect(text).not.toContain(secret);
  });
});
