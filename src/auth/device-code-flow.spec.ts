// Covers device-code-flow.ts against the fake GitHub and Qwen device endpoints with fake time:
// pending, slow_down, approval, expiry, denial, cancellation, the countdown; plus defaults and
// transient failures on an undici MockAgent.
import { MockAgent } from 'undici';
import { FakeLoginUi } from '../../test/fakes/login-ui.fake';
import { copilotTestDefinition, qwenTestDefinition } from '../../test/fakes/oauth-definitions.fake';
import { DEVICE_GRANT, FakeOAuthServer } from '../../test/fakes/oauth-server.fake';
import { FakeTime } from '../../test/fakes/fake-time';
import { formatTimeLeft, runDeviceCodeFlow, slowedDown } from './device-code-flow';
import type { OAuthDefinition } from './oauth-definition';
import { OAuthError } from './oauth-error';
import { pkceChallenge } from './pkce';

async function failure(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

describe('device-code flow against the fake OAuth server', () => {
  let time = new FakeTime('auto');
  const fake = new FakeOAuthServer({ now: () => time.now() });
  let copilot: OAuthDefinition;
  let qwen: OAuthDefinition;
  let ui: FakeLoginUi;

  beforeAll(async () => {
    await fake.start();
    copilot = copilotTestDefinition(fake);
    qwen = qwenTestDefinition(fake);
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    time = new FakeTime('auto');
    ui = new FakeLoginUi();
    fake.deviceAutoApprove = false;
    fake.deviceExpiresIn = 900;
    fake.deviceInterval = 5;
  });

  const deps = () => ({ now: time.now, sleep: time.sleep });
  const lastDevice = () => fake.deviceCodes[fake.deviceCodes.length - 1];
  const secondsAfterIssue = (times: number[]) => times.map((t) => (t - (lastDevice().expiresAt - fake.deviceExpiresIn * 1000)) / 1000);

  it('GitHub: shows the code, polls through pending and slow_down (HTTP 200 + error) until approved', async () => {
    fake.deviceAutoApprove = true;
    fake.scriptPolls('authorization_pending', 'slow_down');
    const pollsBefore = fake.tokenCallCount(DEVICE_GRANT, 'github');

    const obtained = await runDeviceCodeFlow({ definition: copilot, ui, deps: deps() });

    const device = lastDevice();
    expect(ui.lines[0]).toBe(`To log in to GitHub Copilot, open https://github.com/login/device and enter the code: ${device.userCode}`);
    expect(ui.openedUrls).toEqual(['https://github.com/login/device']);
    const codeRequest = fake.requests.find((r) => r.path === '/github/login/device/code' && r.body.device_code === undefined)!;
    expect(codeRequest.contentType).toBe('form');
    expect(codeRequest.headers.accept).toBe('application/json');
    expect(fake.requests.filter((r) => r.path === '/github/login/device/code').at(-1)!.body).toEqual({
      client_id: 'Iv1.b507a08c87ecfe98',
      scope: 'read:user',
    });
    expect(fake.lastTokenRequest!.body).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: 'Iv1.b507a08c87ecfe98',
      device_code: device.deviceCode,
    });

    // 5 s, 5 s, then the 10 s GitHub named with slow_down.
    expect(secondsAfterIssue(device.pollTimes)).toEqual([5, 10, 20]);
    expect(fake.tokenCallCount(DEVICE_GRANT, 'github')).toBe(pollsBefore + 3);

    expect(obtained.tokens.accessToken).toMatch(/^ghu_/);
    expect(obtained.tokens.refreshToken).toBeUndefined();
    expect(obtained.expiresAt).toBeUndefined();

    // A countdown from the code's 15 minutes, going down, then cleared.
    expect(ui.progressLines[0]).toBe('Waiting for you to approve in the browser… 15:00 left');
    expect(ui.progressLines[1]).toBe('Waiting for you to approve in the browser… 14:59 left');
    expect(ui.progressLines.at(-1)).toBe('Waiting for you to approve in the browser… 14:41 left');
    expect(ui.progressCleared).toBe(1);
  });

  it('Qwen: PKCE pair checked by the server, pending as HTTP 400, slow_down ×1.5 capped at 10 s', async () => {
    fake.deviceAutoApprove = true;
    fake.scriptPolls('authorization_pending', 'slow_down', 'slow_down');

    const obtained = await runDeviceCodeFlow({ definition: qwen, ui, noBrowser: true, deps: deps() });

    const device = lastDevice();
    expect(device.provider).toBe('qwen');
    const codeRequest = fake.requests.filter((r) => r.path === '/qwen/api/v1/oauth2/device/code').at(-1)!;
    expect(codeRequest.body).toMatchObject({
      client_id: 'f0304373b74a44d2b584a3fb70ca9e56',
      scope: 'openid profile email model.completion',
      code_challenge_method: 'S256',
    });
    const poll = fake.lastTokenRequest!;
    expect(pkceChallenge(String(poll.body.code_verifier))).toBe(codeRequest.body.code_challenge);

    expect(secondsAfterIssue(device.pollTimes)).toEqual([5, 10, 17.5, 27.5]);
    expect(ui.openedUrls).toEqual([]);
    expect(ui.lines[1]).toBe(`(or open https://chat.qwen.ai/authorize?user_code=${device.userCode}&client=qwen-code, which carries the code)`);

    expect(obtained.tokens.refreshToken).toBeTruthy();
    expect(obtained.expiresAt).toBe(device.pollTimes.at(-1)! + 3600 * 1000);
    expect(obtained.response.resource_url).toBe('portal.qwen.ai');
  });

  it('Qwen: opens the URL that carries the code', async () => {
    fake.deviceAutoApprove = true;
    await runDeviceCodeFlow({ definition: qwen, ui, deps: deps() });
    expect(ui.openedUrls).toEqual([`https://chat.qwen.ai/authorize?user_code=${lastDevice().userCode}&client=qwen-code`]);
  });

  it('waits for the user: approval arrives while polling', async () => {
    const start = time.now();
    let approved = false;
    const obtained = await runDeviceCodeFlow({
      definition: copilot,
      ui,
      deps: {
        now: time.now,
        sleep: (ms, signal) => {
          // The user approves 27 s in; the poll at 30 s gets the token.
          if (!approved && time.now() - start >= 27_000) approved = Boolean(fake.approveDevice());
          return time.sleep(ms, signal);
        },
      },
    });
    expect(obtained.tokens.accessToken).toMatch(/^ghu_/);
    expect(secondsAfterIssue(lastDevice().pollTimes)).toEqual([5, 10, 15, 20, 25, 30]);
  });

  it('gives up when the code expires unapproved, telling the user to log in again', async () => {
    fake.deviceExpiresIn = 30;
    const error = await failure(runDeviceCodeFlow({ definition: copilot, ui, deps: deps() }));
    expect(error.code).toBe('expired_token');
    expect(error.message).toBe(
      'GitHub Copilot: the device code expired before the login was approved. Run `byokey login copilot` again.',
    );
    expect(secondsAfterIssue(lastDevice().pollTimes)).toEqual([5, 10, 15, 20, 25]);
    expect(ui.progressLines.at(-1)).toBe('Waiting for you to approve in the browser… 0:01 left');
    expect(ui.progressCleared).toBe(1);
  });

  it('reports expired_token from the server the same way', async () => {
    ui.onPrint = (line) => {
      if (line.startsWith('To log in')) fake.expireDevice();
    };
    const error = await failure(runDeviceCodeFlow({ definition: qwen, ui, deps: deps() }));
    expect(error.code).toBe('expired_token');
    expect(error.message).toContain('Run `byokey login qwen` again');
    expect(lastDevice().pollTimes).toHaveLength(1);
  });

  it('reports access_denied when the user refuses', async () => {
    ui.onPrint = (line) => {
      if (line.startsWith('To log in')) fake.denyDevice();
    };
    const error = await failure(runDeviceCodeFlow({ definition: copilot, ui, deps: deps() }));
    expect(error.code).toBe('access_denied');
    expect(error.message).toBe('GitHub Copilot: the login was denied in the browser. Run `byokey login copilot` to try again.');
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    ui.onPrint = () => controller.abort();
    const error = await failure(runDeviceCodeFlow({ definition: copilot, ui, signal: controller.signal, deps: deps() }));
    expect(error.code).toBe('cancelled');
    expect(lastDevice().pollTimes).toEqual([]);
  });

  it('reads form-encoded answers (GitHub sends them when not asked for JSON)', async () => {
    fake.deviceAutoApprove = true;
    const definition = { ...copilot, headers: { Accept: 'text/plain' } };
    const obtained = await runDeviceCodeFlow({ definition, ui, noBrowser: true, deps: deps() });
    expect(fake.lastTokenRequest!.headers.accept).toBe('text/plain');
    expect(ui.lines[0]).toContain(lastDevice().userCode);
    expect(obtained.tokens.accessToken).toMatch(/^ghu_/);
  });

  it('fails clearly when the device-code endpoint refuses the client id', async () => {
    const error = await failure(runDeviceCodeFlow({ definition: { ...copilot, clientId: 'wrong' }, ui, deps: deps() }));
    expect(error.code).toBe('invalid_client');
    expect(error.message).toContain('requesting a device code failed (HTTP 400 invalid_client');
    expect(ui.lines).toEqual([]);
  });
});

describe('device-code flow on a mocked dispatcher', () => {
  let agent: MockAgent;
  let time: FakeTime;
  let ui: FakeLoginUi;
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    time = new FakeTime('auto');
    ui = new FakeLoginUi();
  });
  afterEach(() => agent.close());

  const definition: OAuthDefinition = {
    provider: 'kimi',
    displayName: 'Kimi',
    flow: 'device-code',
    clientId: 'client-1',
    scopes: [],
    pkce: false,
    deviceCodeUrl: 'https://auth.test/device',
    verificationUri: 'https://auth.test/verify',
    deviceExpiresIn: 600,
    tokenUrl: 'https://auth.test/token',
    exchangeEncoding: 'form',
    refreshEncoding: 'form',
    refreshable: true,
    headers: { 'X-Msh-Platform': 'byokey' },
  };
  const json = { headers: { 'content-type': 'application/json' } };

  it('falls back to the definition for the URL and lifetime, and to 5 s for the interval', async () => {
    const pool = agent.get('https://auth.test');
    let deviceHeaders: Record<string, string> = {};
    let deviceBody = '';
    pool.intercept({ path: '/device', method: 'POST' }).reply((opts) => {
      deviceHeaders = opts.headers as Record<string, string>;
      deviceBody = String(opts.body);
      return { statusCode: 200, data: JSON.stringify({ device_code: 'dc', user_code: 'UC-1' }), responseOptions: json };
    });
    pool.intercept({ path: '/token', method: 'POST' }).reply(400, { error: 'authorization_pending' }, json).times(2);
    pool.intercept({ path: '/token', method: 'POST' }).reply(200, { access_token: 'at', refresh_token: 'rt', expires_in: 100 }, json);

    const start = time.now();
    const obtained = await runDeviceCodeFlow({ definition, ui, deps: { dispatcher: agent, now: time.now, sleep: time.sleep } });

    expect(deviceHeaders['x-msh-platform']).toBe('byokey');
    expect(deviceBody).toBe('client_id=client-1');
    expect(ui.lines[0]).toBe('To log in to Kimi, open https://auth.test/verify and enter the code: UC-1');
    expect(ui.progressLines[0]).toBe('Waiting for you to approve in the browser… 10:00 left');
    expect(time.now() - start).toBe(15_000);
    expect(obtained).toMatchObject({ tokens: { accessToken: 'at', refreshToken: 'rt' }, expiresAt: time.now() + 100_000 });
  });

  it('keeps polling through a short run of 5xx answers', async () => {
    const pool = agent.get('https://auth.test');
    pool.intercept({ path: '/device', method: 'POST' }).reply(200, { device_code: 'dc', user_code: 'UC', interval: 1 }, json);
    pool.intercept({ path: '/token', method: 'POST' }).reply(502, 'bad gateway').times(2);
    pool.intercept({ path: '/token', method: 'POST' }).reply(200, { access_token: 'at' }, json);
    const obtained = await runDeviceCodeFlow({ definition, ui, noBrowser: true, deps: { dispatcher: agent, now: time.now, sleep: time.sleep } });
    expect(obtained.tokens.accessToken).toBe('at');
  });

  it('gives up after three 5xx answers in a row', async () => {
    const pool = agent.get('https://auth.test');
    pool.intercept({ path: '/device', method: 'POST' }).reply(200, { device_code: 'dc', user_code: 'UC', interval: 1 }, json);
    pool.intercept({ path: '/token', method: 'POST' }).reply(503, 'unavailable').times(3);
    const error = await failure(runDeviceCodeFlow({ definition, ui, noBrowser: true, deps: { dispatcher: agent, now: time.now, sleep: time.sleep } }));
    expect(error).toMatchObject({ code: 'http_503', status: 503, permanent: false });
  });

  it('passes on an unexpected error code, without the device code in the message', async () => {
    const pool = agent.get('https://auth.test');
    pool.intercept({ path: '/device', method: 'POST' }).reply(200, { device_code: 'secret-device-code', user_code: 'UC' }, json);
    pool
      .intercept({ path: '/token', method: 'POST' })
      .reply(400, { error: 'invalid_grant', error_description: 'device code secret-device-code is unknown' }, json);
    const error = await failure(runDeviceCodeFlow({ definition, ui, noBrowser: true, deps: { dispatcher: agent, now: time.now, sleep: time.sleep } }));
    expect(error).toMatchObject({ code: 'invalid_grant', permanent: true });
    expect(error.message).not.toContain('secret-device-code');
    expect(error.message).toContain('waiting for the device login failed');
  });

  it('fails when no verification URL is known', async () => {
    agent.get('https://auth.test').intercept({ path: '/device', method: 'POST' }).reply(200, { device_code: 'dc', user_code: 'UC' }, json);
    const error = await failure(
      runDeviceCodeFlow({ definition: { ...definition, verificationUri: undefined }, ui, deps: { dispatcher: agent, now: time.now, sleep: time.sleep } }),
    );
    expect(error.code).toBe('invalid_response');
  });

  it('rejects a definition that is not a device login', async () => {
    const error = await failure(runDeviceCodeFlow({ definition: { ...definition, flow: 'authorization-code' }, ui }));
    expect(error.code).toBe('not_configured');
  });
});

describe('slowedDown', () => {
  const base = { provider: 'p', displayName: 'P', flow: 'device-code', clientId: 'c', scopes: [], pkce: false, tokenUrl: 't', exchangeEncoding: 'form', refreshEncoding: 'form', refreshable: true } satisfies OAuthDefinition;

  it('adds 5 s by default (RFC 8628)', () => {
    expect(slowedDown(base, 5000, undefined)).toBe(10_000);
  });

  it('takes the interval the answer names when it is longer', () => {
    expect(slowedDown(base, 5000, 15)).toBe(15_000);
    expect(slowedDown(base, 5000, '12')).toBe(12_000);
    expect(slowedDown(base, 20_000, 10)).toBe(25_000);
  });

  it('multiplies up to the cap, never shortening', () => {
    const qwen: OAuthDefinition = { ...base, slowDown: { multiply: 1.5, maxSeconds: 10 } };
    expect(slowedDown(qwen, 5000, undefined)).toBe(7500);
    expect(slowedDown(qwen, 8000, undefined)).toBe(10_000);
    expect(slowedDown(qwen, 12_000, undefined)).toBe(12_000);
  });

  it('adds what the definition says', () => {
    expect(slowedDown({ ...base, slowDown: { add: 2 } }, 5000, undefined)).toBe(7000);
  });
});

describe('formatTimeLeft', () => {
  it.each([
    [900_000, '15:00'],
    [899_001, '15:00'],
    [61_000, '1:01'],
    [999, '0:01'],
    [0, '0:00'],
    [-5000, '0:00'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatTimeLeft(ms)).toBe(text);
  });
});
