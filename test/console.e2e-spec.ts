// The web console at /console in a real browser (Debian's chromium, driven by playwright-core),
// against the real gateway on a random port with fake upstreams and the fake OAuth server: sign
// in with the admin key; log a Codex account in from the page (the login link opened in a new
// tab, the address it lands on pasted back) and a Copilot account with a device code (the code
// shown large with a running countdown, noticed by the page once approved); create a client key,
// use it with the openai SDK, see the request in Usage (and its CSV), revoke it and see the next
// request refused; add an upstream key and see it only masked. No console error, no uncaught exception; a screenshot of
// each page in test-artifacts/console/. Also: a pending login whose gateway restarted (it reads as
// failed; with a rotated admin key the page signs out, saying why), what the console says without
// an admin key, and how /console serves its files (types, caching, gzip, nothing outside the fixed list).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { request } from 'undici';
import { CONSOLE_FILES, CONSOLE_WEB_DIR } from '../src/console/console-assets';
import { FakeCodexBackend } from './fakes/codex-backend.fake';
import { FakeCopilot } from './fakes/copilot.fake';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { freePort } from './support/cli-process';
import { startGateway, type RunningGateway } from './support/gateway';

const ADMIN_KEY = 'admin-key-for-console-tests-0123456789';
const UPSTREAM_KEY = 'sk-console-SECRET-upstream-key-5555WXYZ';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'console');

const upstream = new FakeOpenAIUpstream();
const codexBackend = new FakeCodexBackend();
const oauth = new FakeOAuthServer();
const copilot = new FakeCopilot();
let browser: Browser;

/** Debian's chromium (apt-get install chromium; .ci/run installs it when missing). */
function chromiumPath(): string {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // next
    }
  }
  throw new Error('No chromium on this machine: apt-get install chromium (.ci/run installs it when missing).');
}

const providersYaml = (adminKey: string | null = ADMIN_KEY) => `
${adminKey ? `admin:\n  key: ${adminKey}\n` : ''}auth:
  mode: keys
providers:
  local:
    type: openai-compatible
    base_url: ${upstream.url}
    models: [alpha-1]
  codex:
    base_url: ${codexBackend.httpUrl}
    transport: http
    oauth:
      authorize_url: ${oauth.urls.openai.authorize}
      token_url: ${oauth.urls.openai.token}
      callback_port: 0
  copilot:
    github_api_url: ${copilot.githubApiUrl}
    oauth:
      device_code_url: ${oauth.urls.github.deviceCode}
      token_url: ${oauth.urls.github.token}
`;

/** A page that records every console error and uncaught exception. */
async function openPage(context: BrowserContext, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console.${message.type()}: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return page;
}

/** Signs in with the admin key and starts a Copilot (device-code) login from the Accounts page. */
async function startCopilotLogin(page: Page, gatewayUrl: string): Promise<void> {
  await page.goto(`${gatewayUrl}/console`);
  await page.getByLabel('Admin key').fill(ADMIN_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Accounts' }).click();
  await page.getByLabel('Provider').fill('copilot');
  await page.getByRole('button', { name: 'Start login' }).click();
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await Promise.all([upstream.start(), codexBackend.start(), oauth.start(), copilot.start()]);
  // localhost does not resolve in this browser: the login's redirect address (byokey's loopback
  // callback) fails to load, as it does when byokey runs on another machine than the browser.
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--host-resolver-rules=MAP localhost ~NOTFOUND'] });
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([upstream.stop(), codexBackend.stop(), oauth.stop(), copilot.stop()]);
});

describe('the console in a browser', () => {
  let home: string;
  let gateway: RunningGateway;
  let context: BrowserContext;
  const problems: string[] = [];

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'byokey-console-'));
    gateway = await startGateway(providersYaml(), { home });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  });
  afterAll(async () => {
    await context?.close();
    await gateway?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('signs in, logs a Codex account in, creates a key that serves the SDK, shows its usage, and revokes it', async () => {
    // A wrong key is refused in words (its 401 is the one console error allowed, in a page of its own).
    const wrongKeyProblems: string[] = [];
    const first = await openPage(context, wrongKeyProblems);
    await first.goto(`${gateway.url}/console`);
    await first.getByLabel('Admin key').fill('not-the-admin-key');
    await first.getByRole('button', { name: 'Sign in' }).click();
    await expectText(first.getByRole('alert'), 'That is not the admin key.');
    await screenshot(first, '0-sign-in');
    expect(wrongKeyProblems).toEqual([expect.stringContaining('status of 401')]);
    await first.close();

    // The right one opens the console.
    const page = await openPage(context, problems);
    await page.goto(`${gateway.url}/console`);
    await page.getByLabel('Admin key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("byokey.adminKey")')).toBe(ADMIN_KEY);
    expect((await context.cookies()).length).toBe(0);
    await page.getByRole('table', { name: 'Provider instances' }).waitFor();
    expect(await page.getByRole('table', { name: 'Provider instances' }).innerText()).toMatch(/local\s+openai-compatible\s+serving/);

    // Accounts: a browser (PKCE) login. The login page opens in a new tab; byokey "runs
    // elsewhere", so the address the provider sends the browser back to does not load here and
    // is pasted back — as a person would copy it from the address bar.
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByLabel('Provider').fill('codex');
    await page.getByLabel('Account name').fill('work');
    await page.getByRole('button', { name: 'Start login' }).click();
    const loginLink = page.getByRole('link', { name: 'Open the codex login page' });
    await loginLink.waitFor();
    await screenshot(page, '2-accounts-login');
    const [loginTab] = await Promise.all([context.waitForEvent('page'), loginLink.click()]);
    const failed = await loginTab.waitForEvent('requestfailed', { predicate: (r) => r.url().includes('/auth/callback?') });
    const landed = failed.url();
    expect(new URL(landed).searchParams.get('code')).toBeTruthy();
    await loginTab.close();
    await page.getByLabel('Address the browser was sent back to').fill(landed);
    await page.getByRole('button', { name: 'Finish login' }).click();
    await expectText(page.getByRole('status').filter({ hasText: 'Logged in' }), 'Logged in: codex/work (user@example.com) serves requests now.');
    const card = page.locator('[data-account="codex/work"]');
    await card.waitFor();
    expect(await card.innerText()).toMatch(/work\s+default[\s\S]*Login\s+user@example\.com[\s\S]*Plan\s+plus[\s\S]*Token\s+expires in (\d+ min|1 h) \(refreshed before\)/);
    await screenshot(page, '2-accounts');
    // The account serves the next request, through the gateway's own store.
    const codexBefore = codexBackend.requests.length;

    // Keys: create one; the secret is shown once.
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByLabel('Name').fill('console-e2e');
    await page.getByLabel('Requests per minute').fill('100');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secretBox = page.getByLabel('New key secret');
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await expectText(page.locator('tr[data-key="console-e2e"]'), '100 rpm');
    await screenshot(page, '3-keys-created');
    // Copy puts it on the clipboard; Done takes it off the page for good.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gateway.url });
    await page.getByRole('button', { name: 'Copy' }).click();
    await expectText(page.getByRole('status', { name: 'New key' }), 'Copied.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(secret);

    // The key works with the official SDK, for the file's model and the logged-in account's.
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: secret, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: 'alpha-1', messages: [{ role: 'user', content: 'hi from the console test' }] });
    expect(answer.choices[0].message.content).toBeTruthy();
    await client.chat.completions.create({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'hi codex' }] });
    expect(codexBackend.requests.length).toBe(codexBefore + 1);

    // Usage: by key, the request appears (records are written in batches, every second, so refresh
    // until then: 15 s at most, a loaded machine's room).
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByLabel('By').selectOption('key');
    const row = page.getByRole('table', { name: 'Usage by key' }).getByRole('row').filter({ hasText: 'console-e2e' });
    for (let tries = 0; (await row.count()) === 0; tries++) {
      if (tries > 50) throw new Error('the request never appeared in Usage');
      await page.waitForTimeout(300);
      await page.getByRole('button', { name: 'Refresh' }).click();
    }
    expect(await row.innerText()).toMatch(/^console-e2e\s+2\s+0\s/);
    expect(await page.getByRole('img', { name: /requests by key/ }).textContent()).toContain('console-e2e');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('byokey-usage-by-key-24h.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('key,requests,errors,input_tokens,output_tokens,cached_tokens,reasoning_tokens,p50_ttfb_ms,p50_duration_ms');
    expect(csv).toMatch(/\r\nconsole-e2e,2,0,\d+,\d+,/);
    await screenshot(page, '4-usage');

    // The key's use also shows on the Keys page; revoke it, and the next request is refused.
    await page.getByRole('link', { name: 'Keys' }).click();
    const keyRow = page.locator('tr[data-key="console-e2e"]');
    await expectText(keyRow, 'active');
    expect(await keyRow.innerText()).toMatch(/\t2\t/);
    await page.getByRole('button', { name: 'Revoke console-e2e' }).click();
    await page.getByRole('button', { name: 'Revoke console-e2e for good' }).click();
    await expectText(page.getByRole('status'), 'Revoked console-e2e: it no longer works.');
    await expectText(keyRow, 'revoked');
    expect(await page.content()).not.toContain(secret);
    await screenshot(page, '3-keys-revoked');
    const refused = await client.chat.completions.create({ model: 'alpha-1', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refused as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);

    // Providers: an upstream key added here is only ever shown masked.
    await page.getByRole('link', { name: 'Providers' }).click();
    const local = page.getByRole('article', { name: 'Instance local' });
    await local.getByLabel('Upstream API key').fill(UPSTREAM_KEY);
    await local.getByLabel('Label').fill('team-a');
    await local.getByRole('button', { name: 'Add key' }).click();
    await expectText(page.getByRole('status'), 'Added runtime:team-a to local.');
    await expectText(local.getByRole('table', { name: 'Credentials of local' }), 'sk-…WXYZ');
    expect(await page.content()).not.toContain(UPSTREAM_KEY);
    expect(await local.getByLabel('Upstream API key').inputValue()).toBe('');
    await screenshot(page, '5-providers');
    await local.getByRole('button', { name: 'Remove runtime:team-a from local' }).click();
    await expectText(page.getByRole('status'), 'Removed runtime:team-a from local.');
    // Switched off at runtime (the API says so too), then back to the file.
    await local.getByLabel('Enabled').uncheck();
    await expectText(page.getByRole('status'), 'local disabled.');
    await expectText(local, 'Set here (providers.yaml says enabled).');
    const seen = await request(`${gateway.url}/admin/v1/providers/local`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(await seen.body.json()).toMatchObject({ enabled: false, sources: { enabled: 'runtime' } });
    await local.getByRole('button', { name: 'Follow providers.yaml' }).click();
    await expectText(page.getByRole('status'), 'local follows providers.yaml again.');
    expect(await local.getByLabel('Enabled').isChecked()).toBe(true);

    // Overview, now with traffic.
    await page.getByRole('link', { name: 'Overview' }).click();
    await expectText(page.getByRole('group', { name: 'Requests' }), 'Requests');
    const requests = Number((await page.getByRole('group', { name: 'Requests' }).locator('.stat-value').innerText()).replace(/\D/g, ''));
    expect(requests).toBeGreaterThanOrEqual(2);
    expect(await page.getByRole('group', { name: 'p95 latency' }).innerText()).toMatch(/\d+ (ms|s)/);
    await screenshot(page, '1-overview');

    // A phone's width: one column, nothing cut off sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Accounts' }).click();
    await card.waitFor();
    // The Codex answers reported the plan's windows: bars with their use and reset.
    await card.getByRole('progressbar').first().waitFor();
    expect(await card.getByRole('list', { name: 'Quota windows' }).innerText()).toMatch(/\d+ %\s+resets in /);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, '6-accounts-phone');

    // Signing out forgets the key.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin key').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("byokey.adminKey")')).toBeNull();

    expect(problems).toEqual([]);
  }, 120_000);

  it('logs a Copilot account in with a device code: the code shown large with its countdown, the account listed once approved', async () => {
    oauth.deviceInterval = 1;
    // GitHub's API knows the tokens GitHub's login issues.
    oauth.onGithubToken = (token) => copilot.githubTokens.add(token);
    const deviceProblems: string[] = [];
    const page = await openPage(context, deviceProblems);
    await startCopilotLogin(page, gateway.url);

    // The code GitHub issued, large enough to read from across the desk, and where to enter it.
    const code = page.getByRole('status', { name: 'Device code' });
    await code.waitFor();
    const issued = oauth.deviceCodes[oauth.deviceCodes.length - 1];
    expect(issued.provider).toBe('github');
    expect(await code.innerText()).toBe(issued.userCode);
    const fontSize = (selector: string) => page.evaluate(`parseFloat(getComputedStyle(document.querySelector('${selector}')).fontSize)`) as Promise<number>;
    const [codeSize, bodySize] = [await fontSize('output.user-code'), await fontSize('body')];
    expect(codeSize).toBeGreaterThanOrEqual(2 * bodySize);
    const where = page.getByRole('link', { name: issued.verificationUri });
    expect(await where.getAttribute('href')).toBe(issued.verificationUri);
    expect(await where.getAttribute('target')).toBe('_blank');

    // The countdown runs: mm:ss left, less a little later.
    const timer = page.getByRole('timer', { name: 'The code expires in' });
    await timer.waitFor();
    const secondsLeft = async (): Promise<number> => {
      const [, minutes, seconds] = /^(\d+):(\d\d)$/.exec((await timer.innerText()).trim()) ?? [];
      if (minutes === undefined) throw new Error(`the countdown reads "${await timer.innerText()}"`);
      return Number(minutes) * 60 + Number(seconds);
    };
    const before = await secondsLeft();
    expect(before).toBeGreaterThan(14 * 60);
    expect(before).toBeLessThanOrEqual(15 * 60);
    // It ticks every second; a frozen one never would (10 s is a loaded machine's room).
    for (const deadline = Date.now() + 10_000; (await secondsLeft()) >= before && Date.now() < deadline; ) await page.waitForTimeout(100);
    expect(await secondsLeft()).toBeLessThan(before);
    await screenshot(page, '2-accounts-device-code');

    // The person approves the code at GitHub; the page notices by itself, without a reload.
    await page.evaluate('window.notReloaded = true');
    const polls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/admin/v1/accounts/logins/')) polls.push(r.url());
    });
    oauth.approveDevice(issued.userCode);
    await expectText(page.getByRole('status').filter({ hasText: 'Logged in' }), 'Logged in: copilot/default serves requests now.');
    expect(await code.count()).toBe(0);
    const card = page.getByRole('region', { name: 'copilot accounts' }).locator('[data-account="copilot/default"]');
    await card.waitFor();
    expect(await card.innerText()).toMatch(/^default\s+default\s+ready\s+Token\s+does not expire/);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    // It stopped asking after the login once it was done.
    const asked = polls.length;
    expect(asked).toBeGreaterThan(0);
    await page.waitForTimeout(2500);
    expect(polls.length).toBe(asked);
    await screenshot(page, '2-accounts-device-done');
    expect(deviceProblems).toEqual([]);
  }, 60_000);
});

describe('a login whose gateway restarted', () => {
  interface Restarted {
    page: Page;
    /** Console problems (errors, warnings) seen by the page. */
    problems: string[];
    /** The login polls the page sent after the restart began. */
    polls: string[];
  }

  /**
   * Signs in, starts a Copilot device-code login, then restarts the gateway at the same address
   * with `restartedYaml` (the pending login lived in the old process only) and hands the page to
   * `check`; everything is closed after.
   */
  async function afterRestart(restartedYaml: string, check: (restarted: Restarted) => Promise<void>): Promise<void> {
    const home = mkdtempSync(join(tmpdir(), 'byokey-console-restart-'));
    const port = await freePort();
    let gateway = await startGateway(providersYaml(), { home, port });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const problems: string[] = [];
      const page = await openPage(context, problems);
      await startCopilotLogin(page, gateway.url);
      await page.getByRole('status', { name: 'Device code' }).waitFor();
      const polls: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/admin/v1/accounts/logins/')) polls.push(r.url());
      });
      await gateway.close();
      gateway = await startGateway(restartedYaml, { home, port });
      await check({ page, problems, polls });
    } finally {
      await context.close();
      await gateway.close();
      rmSync(home, { recursive: true, force: true });
    }
  }

  /** The page asked after the login since the restart, and asks no more. */
  async function expectPollingStopped({ page, polls }: Restarted): Promise<void> {
    const asked = polls.length;
    expect(asked).toBeGreaterThan(0);
    await page.waitForTimeout(2500);
    expect(polls.length).toBe(asked);
  }

  it('reads as failed with the gateway\'s reason, and the page stops asking after it', async () => {
    await afterRestart(providersYaml(), async (restarted) => {
      const { page, problems } = restarted;
      await expectText(page.getByRole('alert').filter({ hasText: 'The login failed' }), 'No login');
      expect(await page.getByRole('status', { name: 'Device code' }).count()).toBe(0);
      // Still signed in (a 404 is not a refused key), and no more asking after the login.
      expect(await page.getByRole('navigation', { name: 'Pages' }).count()).toBe(1);
      await expectPollingStopped(restarted);
      await screenshot(page, '2-accounts-login-gone');
      // The only console errors are the browser's own lines for the polls the restart refused or answered 404.
      expect(problems.filter((p) => !/Failed to load resource|ERR_CONNECTION_REFUSED|status of 404/.test(p))).toEqual([]);
    });
  }, 60_000);

  it('with another admin key signs the page out, saying why, and stops asking after the login', async () => {
    // The operator rotated the admin key: the page's key is refused (401) on its next poll.
    await afterRestart(providersYaml('a-rotated-admin-key-0123456789'), async (restarted) => {
      const { page, problems } = restarted;
      await expectText(page.getByRole('alert'), 'The admin key was refused; sign in again.');
      expect(await page.getByLabel('Admin key').count()).toBe(1);
      expect(await page.getByRole('navigation', { name: 'Pages' }).count()).toBe(0);
      expect(await page.evaluate("sessionStorage.getItem('byokey.adminKey')")).toBeNull();
      await expectPollingStopped(restarted);
      await screenshot(page, '2-accounts-login-key-rotated');
      // The only console errors are the browser's own lines for the polls refused during the restart and with 401.
      expect(problems.filter((p) => !/Failed to load resource|ERR_CONNECTION_REFUSED|status of 401/.test(p))).toEqual([]);
    });
  }, 60_000);
});

describe('the console without an admin key', () => {
  it('says the admin API is off, as the API does (404), and offers no sign-in', async () => {
    const gateway = await startGateway(providersYaml(null));
    const context = await browser.newContext();
    try {
      const problems: string[] = [];
      const page = await openPage(context, problems);
      await page.goto(`${gateway.url}/console/`);
      await expectText(page.getByRole('status'), 'No admin key is configured');
      expect(await page.getByLabel('Admin key').count()).toBe(0);
      await screenshot(page, '7-no-admin-key');
      // It found out from /openapi.json, without a failed request.
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await gateway.close();
    }
  });
});

describe('/console serves its files', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway(providersYaml());
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('lists every file under web/ (a new page must be added to CONSOLE_FILES)', () => {
    const onDisk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? onDisk(join(dir, e.name)) : [relative(CONSOLE_WEB_DIR, join(dir, e.name))]));
    expect(onDisk(CONSOLE_WEB_DIR).sort()).toEqual([...CONSOLE_FILES].sort());
  });

  it('with their content types, an ETag and 304, gzip when asked; nothing else, however the path is written', async () => {
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const answer = await request(`${gateway.url}${path}`, { headers });
      return { status: answer.statusCode, headers: answer.headers, body: Buffer.from(await answer.body.arrayBuffer()) };
    };
    const page = await get('/console');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body.toString()).toContain('/console/app.js');
    expect((await get('/console/')).body.equals(page.body)).toBe(true);
    expect((await get('/console/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/console/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const hooks = await get('/console/vendor/hooks.mjs');
    expect(hooks.body.toString()).toContain('from"./preact.mjs"');

    const etag = page.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const again = await get('/console', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);

    const zipped = await get('/console/pages/accounts.js', { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).toString()).toBe(readFileSync(join(CONSOLE_WEB_DIR, 'pages/accounts.js'), 'utf8'));

    for (const path of ['/console/nope.js', '/console/..%2Fpackage.json', '/console/%2e%2e/%2e%2e/package.json', '/console/vendor/..%2F..%2Fpackage.json', '/console/pages/../../package.json']) {
      const answer = await get(path);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(answer.body.toString()).not.toContain('"name": "byokey"');
    }
  });

  it('is small: the whole console, gzipped as served', async () => {
    let total = 0;
    let plain = 0;
    for (const path of ['', ...CONSOLE_FILES.filter((f) => f !== 'index.html'), 'vendor/preact.mjs', 'vendor/hooks.mjs', 'vendor/htm.mjs']) {
      const answer = await request(`${gateway.url}/console/${path}`, { headers: { 'accept-encoding': 'gzip' } });
      const body = Buffer.from(await answer.body.arrayBuffer());
      expect([path, answer.statusCode]).toEqual([path, 200]);
      total += body.length;
      plain += gunzipSync(body).length;
    }
    // The README states this figure; it is printed so it can be kept true.
    process.stdout.write(`console bundle: ${plain} bytes, ${total} bytes gzipped\n`);
    expect(total).toBeLessThan(40_000);
  });
});

/** Waits until the locator's text contains `text` (the page renders after its API answers). */
async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
}
