// Covers loopback-callback-server.ts on real loopback sockets: the callback path only, the
// friendly pages, errors and check() refusals shown to the browser (the wait going on), a busy port, a clean close.
import { createServer, type Server } from 'node:net';
import { request } from 'undici';
import { startLoopbackCallbackServer, type CallbackParams, type LoopbackCallbackServer } from './loopback-callback-server';
import { OAuthError } from './oauth-error';

const base = { provider: 'codex', displayName: 'ChatGPT (Codex)', path: '/auth/callback' };

async function get(url: string): Promise<{ status: number; text: string; type: string }> {
  const res = await request(url);
  return { status: res.statusCode, text: await res.body.text(), type: String(res.headers['content-type']) };
}

/** Whether the promise is still pending after I/O had a chance to run. */
async function isPending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return !settled;
}

function ipv6Available(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

describe('loopback callback server', () => {
  let server: LoopbackCallbackServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('listens on a free port when asked for port 0 and reports it', async () => {
    server = await startLoopbackCallbackServer({ ...base, port: 0 });
    expect(server.port).toBeGreaterThan(0);
  });

  it('hands over code and state from the callback and shows a friendly page', async () => {
    server = await startLoopbackCallbackServer({ ...base, port: 0 });
    const page = await get(`http://127.0.0.1:${server.port}/auth/callback?code=abc&state=xyz`);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('Login complete');
    expect(page.text).toContain('You can close this tab');
    await expect(server.callback).resolves.toEqual<CallbackParams>({
      code: 'abc',
      state: 'xyz',
      error: undefined,
      errorDescription: undefined,
    });
  });

  it('answers 404 on other paths, favicon included, and keeps waiting', async () => {
    server = await startLoopbackCallbackServer({ ...base, port: 0 });
    expect((await get(`http://127.0.0.1:${server.port}/favicon.ico`)).status).toBe(404);
    expect((await get(`http://127.0.0.1:${server.port}/other?code=abc&state=xyz`)).status).toBe(404);
    expect(await isPending(server.callback)).toBe(true);
  });

  it('ignores a callback with neither code nor error', async () => {
    server = await startLoopbackCallbackServer({ ...base, port: 0 });
    expect((await get(`http://127.0.0.1:${server.port}/auth/callback`)).status).toBe(400);
    expect(await isPending(server.callback)).toBe(true);
  });

  it("shows the provider's error, escaped, and hands it over", async () => {
    server = await startLoopbackCallbackServer({ ...base, port: 0 });
    const page = await get(
      `http://127.0.0.1:${server.port}/auth/callback?error=access_denied&error_description=${encodeURIComponent('<b>no</b>')}&state=s`,
    );
    expect(page.status).toBe(400);
    expect(page.text).toContain('ChatGPT (Codex) login failed');
    expect(page.text).toContain('access_denied');
    expect(page.text).toContain('&#60;b&#62;no&#60;/b&#62;');
    expect(page.text).not.toContain('<b>no</b>');
    await expect(server.callback).resolves.toMatchObject({ error: 'access_denied', errorDescription: '<b>no</b>', state: 's' });
  });

  it("answers a callback check() refuses (a state mismatch) with its reason, keeps it, and waits for the right one", async () => {
    const ignored: string[] = [];
    server = await startLoopbackCallbackServer({
      ...base,
      port: 0,
      check: (p) => (p.state === 'good' ? undefined : 'State mismatch.'),
      onIgnored: (p, reason) => ignored.push(`${p.state}: ${reason}`),
    });
    let handed = false;
    void server.callback.then(() => (handed = true));
    const page = await get(`http://127.0.0.1:${server.port}/auth/callback?code=abc&state=bad`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('State mismatch.');
    expect(ignored).toEqual(['bad: State mismatch.']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(handed).toBe(false);
    const good = await get(`http://127.0.0.1:${server.port}/auth/callback?code=xyz&state=good`);
    expect(good.text).toContain('Login complete');
    await expect(server.callback).resolves.toMatchObject({ code: 'xyz', state: 'good' });
  });

  it('answers a second callback without handing it over', async () => {
    server = await startLoopbackCallbackServer({ ...base, port: 0 });
    await get(`http://127.0.0.1:${server.port}/auth/callback?code=first&state=s`);
    const second = await get(`http://127.0.0.1:${server.port}/auth/callback?code=second&state=s`);
    expect(second.text).toContain('already been handled');
    await expect(server.callback).resolves.toMatchObject({ code: 'first' });
  });

  it('says which port is busy and how to change it', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const error = await startLoopbackCallbackServer({ ...base, port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OAuthError);
      expect(error).toMatchObject({ code: 'callback_port_in_use', provider: 'codex' });
      expect((error as Error).message).toContain(`port ${port} is already in use`);
      expect((error as Error).message).toContain('`oauth.callback_port`');
      expect((error as Error).message).toContain('providers.yaml');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('closes cleanly: nothing answers, and the port can be taken again', async () => {
    server = await startLoopbackCallbackServer({ ...base, port: 0 });
    const port = server.port;
    await get(`http://127.0.0.1:${port}/favicon.ico`);
    await server.close();
    server = undefined;
    await expect(request(`http://127.0.0.1:${port}/auth/callback?code=a&state=b`)).rejects.toThrow();
    // The same port can be taken again at once.
    server = await startLoopbackCallbackServer({ ...base, port });
    expect(server.port).toBe(port);
  });

  it('also answers on ::1 when the machine has IPv6', async () => {
    if (!(await ipv6Available())) return;
    server = await startLoopbackCallbackServer({ ...base, port: 0 });
    const page = await get(`http://[::1]:${server.port}/auth/callback?code=v6&state=s`);
    expect(page.status).toBe(200);
    await expect(server.callback).resolves.toMatchObject({ code: 'v6' });
  });
});
