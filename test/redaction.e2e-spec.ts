// Upstreams quote the credential they were sent ("Incorrect API key provided: sk-proj-****wxyz")
// and sometimes other secrets; none of it reaches a client or a log line. The real gateway with
// fake OpenAI-compatible and Anthropic upstreams, driven by the official SDKs and raw HTTP, on
// /v1/chat/completions and /v1/messages, streaming and not, before and after the first byte; the
// log is captured and searched too.
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { RequestRouter } from '../src/routing/request-router.service';
import { FakeAnthropicUpstream } from './fakes/anthropic-upstream.fake';
import { FakeOpenAIUpstream } from './fakes/openai-upstream.fake';
import { startGateway, type RunningGateway } from './support/gateway';

/** Random key material: base64url without `-`/`_`, so no window of it can look like a word. */
function secretPart(length: number): string {
  return randomBytes(length * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, length);
}

// Two OpenAI project keys the upstream refuses (it expects another), one key for a self-hosted
// server that looks like nothing in particular, one Anthropic key, and a bearer token of a proxy.
const OPENAI_KEYS = [`sk-proj-${secretPart(48)}`, `sk-proj-${secretPart(48)}`];
const VLLM_KEY = `vllm-${secretPart(24)}`;
const CLAUDE_KEY = `sk-ant-api03-${secretPart(64)}`;
const PROXY_TOKEN = secretPart(40);
const SECRETS = [...OPENAI_KEYS, VLLM_KEY, CLAUDE_KEY, PROXY_TOKEN];

const CLAUDE = 'claude-sonnet-5-5';
const USER = [{ role: 'user' as const, content: 'hello' }];

const openaiUpstream = new FakeOpenAIUpstream();
const vllmUpstream = new FakeOpenAIUpstream();
const anthropicUpstream = new FakeAnthropicUpstream();
const logs: string[] = [];
let gateway: RunningGateway;
let anthropic: Anthropic;

beforeAll(async () => {
  await Promise.all([openaiUpstream.start(), vllmUpstream.start(), anthropicUpstream.start()]);
  openaiUpstream.apiKey = `sk-proj-${secretPart(48)}`;
  anthropicUpstream.apiKeys = [CLAUDE_KEY];
  const lines = new PassThrough();
  lines.setEncoding('utf8').on('data', (text: string) => logs.push(...text.split('\n').filter(Boolean)));
  gateway = await startGateway(
    `
server:
  sse_keepalive_ms: 2000
providers:
  openai:
    type: openai-compatible
    base_url: ${openaiUpstream.url}
    api_keys: [${OPENAI_KEYS.join(', ')}]
    models: [gpt-test]
  vllm:
    type: openai-compatible
    base_url: ${vllmUpstream.url}
    api_key: ${VLLM_KEY}
    models: [local-model]
  claude:
    base_url: ${anthropicUpstream.url}
    api_key: ${CLAUDE_KEY}
`,
    { logLevel: 'debug', logDestination: lines },
  );
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([openaiUpstream.stop(), vllmUpstream.stop(), anthropicUpstream.stop()]);
});

afterEach(() => {
  // A 401 rests the credential that got it; each case starts with ready credentials.
  gateway.app.get(RequestRouter).states.clearAllCooldowns();
  vllmUpstream.clearScript();
  anthropicUpstream.clearScript();
});

/**
 * No part of a secret beyond its public prefix (`sk-proj-`, `sk-ant-api03-`): not the whole, no
 * six characters of it in a row, not its last four after a mask (`****wxyz`, `...wxyz`).
 */
function expectNoSecrets(text: string): void {
  for (const secret of SECRETS) {
    const body = secret.replace(/^(sk-proj-|sk-ant-api03-|vllm-)/, '');
    expect(text).not.toContain(body);
    for (let i = 0; i + 6 <= body.length; i++) if (text.includes(body.slice(i, i + 6))) throw new Error(`"${body.slice(i, i + 6)}" of a secret leaked in: ${text}`);
    for (const mask of ['*', '.', '…']) expect(text).not.toContain(`${mask}${body.slice(-4)}`);
  }
}

async function post(path: string, body: object): Promise<{ status: number; text: string }> {
  const res = await request(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'client-key' },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/**
 * Log lines written since `from`, which must come to contain `expected` (some lines are written as
 * the response ends, just after the client has it: waited for, up to 5 s, rather than a fixed
 * time), and whatever follows it within a moment (for the checks that no line holds a secret).
 */
async function logSince(from: number, expected: string): Promise<string> {
  const deadline = Date.now() + 5000;
  while (!logs.slice(from).join('\n').includes(expected) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const text = logs.slice(from).join('\n');
  expect(text).toContain(expected);
  return text;
}

describe('an OpenAI-compatible upstream quoting the key it was sent', () => {
  it('openai SDK, non-stream: the 401 names the key kind, never the key; the retry line in the log neither', async () => {
    const from = logs.length;
    const error = await gateway.openai.chat.completions.create({ model: 'gpt-test', messages: USER }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const message = (error as InstanceType<typeof OpenAI.APIError>).message;
    expect(message).toContain('Incorrect API key provided: sk-proj-[redacted].');
    expectNoSecrets(JSON.stringify((error as InstanceType<typeof OpenAI.APIError>).error));
    // Both keys were tried: the first one's 401 is in the log line about the retry.
    expect(openaiUpstream.requests.slice(-2).map((r) => r.headers.authorization)).toEqual(OPENAI_KEYS.map((k) => `Bearer ${k}`));
    const log = await logSince(from, 'retrying gpt-test on openai (api_keys[1]) after: upstream openai answered 401: Incorrect API key provided: sk-proj-[redacted].');
    expectNoSecrets(log);
  });

  it.each([false, true])('raw /v1/chat/completions (stream %s): the error body has no part of the key', async (stream) => {
    const res = await post('/v1/chat/completions', { model: 'gpt-test', messages: USER, stream });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text)).toMatchObject({ error: { type: 'authentication_error', message: expect.stringContaining('sk-proj-[redacted]') } });
    expectNoSecrets(res.text);
  });

  it.each([false, true])('raw /v1/messages (stream %s): the Anthropic error has no part of the key', async (stream) => {
    const res = await post('/v1/messages', { model: 'gpt-test', max_tokens: 64, messages: USER, stream });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: expect.stringContaining('sk-proj-[redacted]') } });
    expectNoSecrets(res.text);
  });

  it('a key that looks like nothing is still redacted, whole and masked, in the client error and the 5xx log line', async () => {
    const masked = `${VLLM_KEY.slice(0, 7)}...${VLLM_KEY.slice(-6)}`;
    const message = `auth proxy: token "${VLLM_KEY}" (shown as ${masked}) rejected`;
    vllmUpstream.script(
      { kind: 'error', status: 401, body: { error: { message, type: 'invalid_request_error', param: VLLM_KEY, code: 'invalid_api_key' } } },
      { kind: 'error', status: 500, body: { error: { message, type: 'server_error', param: null, code: null } } },
    );
    const from = logs.length;
    const unauthorized = await post('/v1/chat/completions', { model: 'local-model', messages: USER });
    expect(unauthorized.status).toBe(401);
    expect(JSON.parse(unauthorized.text).error).toMatchObject({
      message: `upstream vllm rejected the gateway's credential (HTTP 401): auth proxy: token "[redacted]" (shown as [redacted]) rejected`,
      param: '[redacted]',
    });
    gateway.app.get(RequestRouter).states.clearAllCooldowns();
    const failed = await post('/v1/messages', { model: 'local-model', max_tokens: 64, messages: USER });
    expect(failed.status).toBe(502);
    expect(failed.text).toContain('token \\"[redacted]\\" (shown as [redacted])');
    const log = await logSince(from, 'upstream vllm failed (HTTP 500): auth proxy: token \\"[redacted]\\"');
    expectNoSecrets(`${unauthorized.text}\n${failed.text}\n${log}`);
  });

  it.each(['/v1/messages', '/v1/chat/completions'])('an error chunk inside a stream quoting a Bearer token, on %s: redacted for the client (translated or passed through) and the log', async (path) => {
    vllmUpstream.script({
      kind: 'stream',
      events: [
        { id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'local-model', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] },
        { error: { message: `proxy refused Authorization: Bearer ${PROXY_TOKEN} for ${VLLM_KEY}`, type: 'server_error', param: null, code: null } },
      ],
      done: false,
    });
    const from = logs.length;
    const res = await post(path, { model: 'local-model', max_tokens: 64, messages: USER, stream: true });
    expect(res.status).toBe(200);
    expect(res.text).toContain('proxy refused Authorization: Bearer [redacted] for [redacted]');
    const log = await logSince(from, 'stream ended with an error after it started');
    expectNoSecrets(`${res.text}\n${log}`);
  });
});

describe('a Claude upstream quoting the key it was sent', () => {
  const quoting = () => anthropicUpstream.script({ kind: 'auth_error', message: `invalid x-api-key: ${CLAUDE_KEY} (sk-ant-api03-...${CLAUDE_KEY.slice(-4)})` });

  it('Anthropic SDK, non-stream and stream: a 401 naming the key kind only', async () => {
    for (const stream of [false, true]) {
      gateway.app.get(RequestRouter).states.clearAllCooldowns();
      quoting();
      const error = await (stream
        ? anthropic.messages.stream({ model: CLAUDE, max_tokens: 64, messages: USER }).finalMessage()
        : anthropic.messages.create({ model: CLAUDE, max_tokens: 64, messages: USER })
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      const body = JSON.stringify((error as InstanceType<typeof Anthropic.APIError>).error);
      expect(body).toContain('invalid x-api-key: sk-ant-api03-[redacted] (sk-ant-api03-[redacted])');
      expectNoSecrets(body);
    }
  });

  it.each([false, true])('raw /v1/chat/completions (stream %s): the OpenAI error has no part of the key', async (stream) => {
    quoting();
    const res = await post('/v1/chat/completions', { model: CLAUDE, messages: USER, stream });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text).error.message).toContain('sk-ant-api03-[redacted]');
    expectNoSecrets(res.text);
  });

  it.each(['/v1/messages', '/v1/chat/completions'])('an in-stream error event quoting a Bearer token, on %s: redacted for the client and the log', async (path) => {
    anthropicUpstream.script({
      kind: 'answer',
      text: 'a few words before it breaks',
      errorAfter: 4,
      error: { type: 'api_error', message: `gateway hop rejected Authorization: Bearer ${PROXY_TOKEN} (and x-api-key ${CLAUDE_KEY})` },
    });
    const from = logs.length;
    const res = await post(path, { model: CLAUDE, max_tokens: 64, messages: USER, stream: true });
    expect(res.status).toBe(200);
    expect(res.text).toContain('gateway hop rejected Authorization: Bearer [redacted] (and x-api-key sk-ant-api03-[redacted])');
    const log = await logSince(from, 'stream ended with an error after it started');
    expectNoSecrets(`${res.text}\n${log}`);
  });
});
