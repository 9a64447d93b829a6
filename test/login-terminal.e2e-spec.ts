// `byokey login` at a terminal, through a real pseudo-terminal (util-linux `script`): the wait
// shows a countdown rewritten in place (`\r` + erase line), a callback carrying another login's
// state is shown and ignored while the countdown goes on, and the countdown is erased before the
// result is printed. The same login through a pipe shows no countdown and no escape codes at all.
import { request } from 'undici';
import { FakeOAuthServer } from './fakes/oauth-server.fake';
import { CliSandbox, freePort, killAllCli, startCli, type CliProcess } from './support/cli-process';

/** What the terminal UI writes to rewrite its one progress line. */
const REWRITE = '\r\x1b[K';

let sandbox: CliSandbox;
const oauth = new FakeOAuthServer();

beforeAll(async () => {
  await oauth.start();
});
afterAll(async () => {
  await oauth.stop();
});
beforeEach(() => {
  sandbox = new CliSandbox();
});
afterEach(async () => {
  await killAllCli();
  sandbox.remove();
});

async function fakeOAuthConfig(): Promise<string> {
  const urls = oauth.urls;
  return sandbox.write(
    'providers.yaml',
    [
      'providers:',
      '  codex:',
      '    oauth:',
      `      authorize_url: ${urls.openai.authorize}`,
      `      token_url: ${urls.openai.token}`,
      `      callback_port: ${await freePort()}`,
      '  copilot:',
      '    oauth:',
      `      device_code_url: ${urls.github.deviceCode}`,
      `      token_url: ${urls.github.token}`,
      '',
    ].join('\n'),
  );
}

/** The countdown texts shown so far (each rewrite's text, in order). */
function countdowns(proc: CliProcess, prefix: string): string[] {
  return proc.stdout
    .split(REWRITE)
    .slice(1)
    .map((part) => part.split(/\r?\n/)[0])
    .filter((text) => text.startsWith(prefix));
}

describe('byokey login on a terminal', () => {
  it('codex (browser): counts down in place, ignores a foreign callback and keeps counting, erases the countdown before the result', async () => {
    const config = await fakeOAuthConfig();
    const proc = startCli(['login', 'codex', '--no-browser', '--config', config], sandbox, { terminal: true });
    const match = await proc.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/openai\/oauth\/authorize\?\S+)/);
    const authorize = new URL(match[1]);
    await proc.waitFor(/\r\x1b\[KWaiting for the browser… 5:00 left/);
    // The countdown moves, rewritten on its own line rather than printed line after line. (Once a
    // second; a frozen one never would: 10 s is a loaded machine's room.)
    await proc.waitFor(/\r\x1b\[KWaiting for the browser… 4:5\d left/, 10_000);

    // An old tab's redirect: another login's state. Said once, and the wait goes on.
    const approved = await request(authorize, { method: 'GET' });
    await approved.body.dump();
    const callback = new URL((approved.headers.location as string).replace('//localhost:', '//127.0.0.1:'));
    const foreign = new URL(callback);
    foreign.searchParams.set('state', 'someone-elses-state');
    await (await request(foreign)).body.dump();
    await proc.waitFor(/Ignored an answer from the browser that belongs to another login \(state mismatch: an old tab\?\)\. Still waiting for this one\./);
    const before = countdowns(proc, 'Waiting for the browser…').length;
    const ignoredAt = proc.stdout.indexOf('Ignored an answer from the browser');
    // The countdown comes back after the notice.
    await proc.waitFor(/Still waiting for this one\.[\s\S]*\r\x1b\[KWaiting for the browser… \d:\d\d left/, 10_000);
    expect(countdowns(proc, 'Waiting for the browser…').length).toBeGreaterThan(before);
    expect(proc.hasExited).toBe(false);

    // The right callback ends it.
    const page = await request(callback);
    expect(page.statusCode).toBe(200);
    await page.body.dump();
    const result = await proc.exit();
    expect(result.code).toBe(0);
    // The countdown line was erased before the result was printed on a clean line.
    const loggedIn = result.stdout.indexOf('Logged in to ChatGPT (Codex) as user@example.com');
    expect(loggedIn).toBeGreaterThan(ignoredAt);
    expect(result.stdout.slice(0, loggedIn)).toMatch(/\r\x1b\[K$/);
  });

  it('copilot (device code): shows the code, then a countdown from the device code\'s lifetime', async () => {
    const config = await fakeOAuthConfig();
    oauth.deviceInterval = 1;
    const proc = startCli(['login', 'copilot', '--no-browser', '--config', config], sandbox, { terminal: true });
    const code = (await proc.waitFor(/\b([A-Z0-9]{4}-[A-Z0-9]{4})\b/))[1];
    await proc.waitFor(/\r\x1b\[KWaiting for you to approve in the browser… 15:00 left/);
    await proc.waitFor(/\r\x1b\[KWaiting for you to approve in the browser… 14:5\d left/, 10_000);
    oauth.approveDevice(code);
    const result = await proc.exit();
    expect(result.code).toBe(0);
    const loggedIn = result.stdout.search(/Logged in to GitHub Copilot/);
    expect(loggedIn).toBeGreaterThan(0);
    expect(result.stdout.slice(0, loggedIn)).toMatch(/\r\x1b\[K$/);
  });

  it('through a pipe, the same login shows no countdown and no escape codes', async () => {
    const config = await fakeOAuthConfig();
    oauth.deviceInterval = 1;
    const proc = startCli(['login', 'copilot', '--no-browser', '--config', config], sandbox);
    const code = (await proc.waitFor(/\b([A-Z0-9]{4}-[A-Z0-9]{4})\b/))[1];
    // Two polls (a second apart), each of which would have rewritten a countdown on a terminal.
    const device = oauth.deviceCodes.find((d) => d.userCode === code)!;
    for (const deadline = Date.now() + 15_000; device.pollTimes.length < 2; ) {
      if (Date.now() > deadline) throw new Error(`login polled ${device.pollTimes.length} times in 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    oauth.approveDevice(code);
    const result = await proc.exit();
    expect(result.code).toBe(0);
    expect(oauth.deviceCodes.find((d) => d.userCode === code)!.pollTimes.length).toBeGreaterThanOrEqual(2);
    expect(result.stdout).toMatch(/Logged in to GitHub Copilot/);
    expect(result.stdout + result.stderr).not.toContain('\x1b');
    expect(result.stdout).not.toContain('left');
  });
});
