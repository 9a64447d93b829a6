// Gemini end to end, both ways. A Gemini model by API key (the fake Generative Language API)
// answers the official openai SDK (chat, stream and not, a tool call round trip with its thought
// signature; Responses) and @anthropic-ai/sdk, translated through the protocol table; its model
// list is read live (paged); a quota error comes back as a 429 with retry-after and rests the
// key. And the Gemini route, driven with the official @google/genai SDK (its baseUrl pointed at
// byokey), gets answers — generateContent, generateContentStream, countTokens — from a Codex
// (Responses) model and a Claude (Messages) model served by their fakes, and its errors in
// Google's dialect, a mid-stream failure included. Asked without `alt=sse` (undici), the stream
// is Google's other framing: one JSON array, sent as it grows, a mid-stream failure its last
// element.
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI, type Content } from '@google/genai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { request } from 'undici';
import type { GeminiResponse } from '../src/protocol/gemini-generate-content';
import { RequestRouter } from '../src/routing/request-router.service';
import { ClaudeUpstream, CodexUpstream } from './conformance/upstreams';
import { FakeGeminiApi, GEMINI_FAKE_SIGNATURE } from './fakes/gemini-api.fake';
import { startGateway, type RunningGateway } from './support/gateway';

const gemini = new FakeGeminiApi();
const codex = new CodexUpstream();
const claude = new ClaudeUpstream();
let home: string;
let gateway: RunningGateway;
let anthropic: Anthropic;

const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
];

beforeAll(async () => {
  await gemini.start();
  await codex.start();
  await claude.start();
  home = mkdtempSync(join(tmpdir(), 'byokey-gemini-'));
  await codex.seed(home);
  gateway = await startGateway(
    `
auth:
  mode: keys
  keys: [byokey-client-key-1]
providers:
  gemini:
    base_url: ${gemini.origin}
    api_key: gemini-key-1
${codex.providersYaml()}
${claude.providersYaml()}
`,
    { home },
  );
  gateway.openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'byokey-client-key-1', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'byokey-client-key-1', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await gemini.stop();
  await codex.stop();
  await claude.stop();
  rmSync(home, { recursive: true, force: true });
});

afterEach(() => {
  gemini.clearScript();
  codex.reset();
  claude.reset();
  gateway.app.get(RequestRouter).states.clearAllCooldowns();
});

const genai = (apiKey = 'byokey-client-key-1') => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: gateway.url } });

describe('a Gemini model by API key', () => {
  test('answers chat completions, whole, with the key in x-goog-api-key on generateContent', async () => {
    gemini.script({ kind: 'text', text: 'Bonjour.', thought: 'They want French.' });
    const completion = await gateway.openai.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Greet me' }], reasoning_effort: 'high' });
    expect(completion.choices[0].message.content).toBe('Bonjour.');
    expect((completion.choices[0].message as { reasoning_content?: string }).reasoning_content).toBe('They want French.');
    expect(completion.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, completion_tokens_details: { reasoning_tokens: 5 } });
    const sent = gemini.lastGeneration();
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-pro:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe('gemini-key-1');
    expect(sent.body.model).toBeUndefined();
    expect(sent.body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(sent.body.contents).toEqual([{ role: 'user', parts: [{ text: 'Greet me' }] }]);
    expect(sent.body.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 24576, includeThoughts: true });
  });

  test('streams chat completions and carries a tool call round trip, its thought signature echoed back', async () => {
    gemini.script({ kind: 'tools', calls: [{ name: 'get_weather', args: { city: 'Paris' } }] }, { kind: 'text', text: 'Sunny in Paris.' });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await gateway.openai.chat.completions.stream({ model: 'gemini-2.5-pro', messages, tools: TOOLS, stream_options: { include_usage: true } }).finalChatCompletion();
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(first.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7 });
    expect(gemini.lastGeneration().path).toBe('/v1beta/models/gemini-2.5-pro:streamGenerateContent');
    expect(gemini.lastGeneration().query.get('alt')).toBe('sse');
    expect(gemini.lastGeneration().body.tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', description: 'Weather for a city', parametersJsonSchema: (TOOLS[0] as OpenAI.ChatCompletionFunctionTool).function.parameters }] }]);

    messages.push({ role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21C' });
    const second = await gateway.openai.chat.completions.create({ model: 'gemini-2.5-pro', messages, tools: TOOLS });
    expect(second.choices[0].message.content).toBe('Sunny in Paris.');
    const contents = gemini.lastGeneration().body.contents as Content[];
    expect(contents[1]).toEqual({ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: GEMINI_FAKE_SIGNATURE }] });
    expect(contents[2]).toEqual({ role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: 'sunny, 21C' } } }] });
  });

  test('answers the Responses API, streamed', async () => {
    gemini.script({ kind: 'text', text: 'From Gemini via Responses.' });
    const response = await gateway.openai.responses.stream({ model: 'gemini-2.5-flash', input: 'hello' }).finalResponse();
    expect(response.output_text).toBe('From Gemini via Responses.');
    expect(response.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 });
  });

  test('answers the Anthropic SDK, whole and streamed', async () => {
    gemini.script({ kind: 'text', text: 'Hi from Gemini.' }, { kind: 'text', text: 'Streamed from Gemini.', thought: 'Hmm.' });
    const message = await anthropic.messages.create({ model: 'gemini-2.5-pro', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hi from Gemini.' })]);
    expect(message.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    const streamed = await anthropic.messages.stream({ model: 'gemini-2.5-pro', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(streamed.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(streamed.content[1]).toMatchObject({ type: 'text', text: 'Streamed from Gemini.' });
  });

  test('lists the upstream models live, every page, only those that generate content', async () => {
    const list = await gateway.openai.models.list();
    const ids = list.data.filter((m) => m.owned_by === 'gemini').map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-3-pro-preview']));
    expect(ids).not.toContain('text-embedding-004');
    const listCalls = gemini.requests.filter((r) => r.method === 'GET' && r.path === '/v1beta/models');
    expect(listCalls.map((r) => r.query.get('pageToken'))).toEqual([null, '2']);
    expect(listCalls.every((r) => r.headers['x-goog-api-key'] === 'gemini-key-1')).toBe(true);
  });

  test('a quota error is a 429 with retry-after from RetryInfo, and rests the key until then', async () => {
    gemini.script({ kind: 'quota', retryDelay: '51.8s' });
    const error = await gateway.openai.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('52');
    const before = gemini.generations.length;
    // The key rests: the next request is refused by the gateway without reaching Google.
    const rested = await gateway.openai.chat.completions.create({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect((rested as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect(Number((rested as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after'))).toBeGreaterThan(40);
    expect(gemini.generations.length).toBe(before);
  });

  test('a stream cut before its finishReason ends with an error, never a finished answer', async () => {
    gemini.script({ kind: 'cut', text: 'Half an ans' });
    const stream = gateway.openai.chat.completions.stream({ model: 'gemini-2.5-pro', messages: [{ role: 'user', content: 'hi' }] });
    await expect(stream.finalChatCompletion()).rejects.toThrow();
  });
});

describe('the Gemini route (@google/genai)', () => {
  test('generateContent, generateContentStream and countTokens from a Codex (Responses) model', async () => {
    codex.plan({ kind: 'text', text: 'Codex says hi.' });
    const whole = await genai().models.generateContent({ model: 'gpt-5.1-codex', contents: 'Say hi', config: { systemInstruction: 'Be nice.' } });
    expect(whole.text).toBe('Codex says hi.');
    expect(whole.usageMetadata).toMatchObject({ promptTokenCount: 11, candidatesTokenCount: 7 });
    expect(codex.userText(codex.lastBody())).toBe('Say hi');
    expect(codex.lastBody().instructions).toContain('Be nice.');

    codex.plan({ kind: 'text', text: 'Streaming from Codex.', reasoning: 'Thinking it over.' });
    let text = '';
    let thoughts = '';
    let last;
    for await (const chunk of await genai().models.generateContentStream({ model: 'gpt-5.1-codex', contents: 'Stream please', config: { thinkingConfig: { thinkingBudget: 24576, includeThoughts: true } } })) {
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (part.thought) thoughts += part.text ?? '';
        else text += part.text ?? '';
      }
      last = chunk;
    }
    expect(text).toBe('Streaming from Codex.');
    expect(thoughts).toBe('Thinking it over.');
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last?.usageMetadata?.promptTokenCount).toBe(11);
    expect(codex.reasoning(codex.lastBody())).toBe('high');

    const counted = await genai().models.countTokens({ model: 'gpt-5.1-codex', contents: 'How many tokens is this?' });
    expect(counted.totalTokens).toBeGreaterThan(0);
  });

  test('a function call round trip with a Claude (Messages) model, streamed', async () => {
    claude.plan({ kind: 'tools', calls: [{ id: 'toolu_01', name: 'get_weather', args: { city: 'Paris' } }] }, { kind: 'text', text: 'It is sunny.' });
    const config = { tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather for a city', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }] }] };
    const user: Content = { role: 'user', parts: [{ text: 'Weather in Paris?' }] };
    const calls = [];
    for await (const chunk of await genai().models.generateContentStream({ model: 'claude-sonnet-5-5', contents: [user], config })) calls.push(...(chunk.functionCalls ?? []));
    expect(calls.map((c) => ({ name: c.name, args: c.args }))).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
    expect(claude.toolNames(claude.lastBody())).toEqual(['get_weather']);

    const answer = await genai().models.generateContent({
      model: 'claude-sonnet-5-5',
      contents: [user, { role: 'model', parts: [{ functionCall: calls[0] }] }, { role: 'user', parts: [{ functionResponse: { name: 'get_weather', id: calls[0].id, response: { result: 'sunny, 21C' } } }] }],
      config,
    });
    expect(answer.text).toBe('It is sunny.');
    expect(claude.toolResults(claude.lastBody())).toEqual([{ id: 'toolu_01', output: 'sunny, 21C' }]);
  });

  test('countTokens for a Claude model is counted by Anthropic', async () => {
    const counted = await genai().models.countTokens({ model: 'claude-sonnet-5-5', contents: 'Count me' });
    expect(counted.totalTokens).toBeGreaterThan(0);
    expect(claude.fake.requests.some((r: { path?: string }) => String(r.path).includes('count_tokens'))).toBe(true);
  });

  test('a failure mid-stream ends with an error the SDK raises, not a finished stream', async () => {
    claude.plan({ kind: 'fail-mid', text: 'Half' });
    const read = async () => {
      for await (const _chunk of await genai().models.generateContentStream({ model: 'claude-sonnet-5-5', contents: 'hi' })) {
        // read to the end
      }
    };
    const error = await read().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBeGreaterThanOrEqual(500);
  });

  test('errors come in Google shape: an upstream 429, an unknown model, a wrong key; ?key= is accepted', async () => {
    claude.plan({ kind: 'fail-before' });
    const limited = await genai().models.generateContent({ model: 'claude-sonnet-5-5', contents: 'hi' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(ApiError);
    expect((limited as ApiError).status).toBe(429);
    expect(JSON.parse((limited as ApiError).message).error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });

    const unknown = await genai().models.generateContent({ model: 'no-such-model', contents: 'hi' }).catch((e: unknown) => e);
    expect((unknown as ApiError).status).toBe(404);
    expect(JSON.parse((unknown as ApiError).message).error.status).toBe('NOT_FOUND');

    const refused = await genai('wrong-key').models.generateContent({ model: 'claude-sonnet-5-5', contents: 'hi' }).catch((e: unknown) => e);
    expect((refused as ApiError).status).toBe(401);
    expect(JSON.parse((refused as ApiError).message).error.status).toBe('UNAUTHENTICATED');

    // The 429 rested Claude's key; the next call must reach it.
    gateway.app.get(RequestRouter).states.clearAllCooldowns();
    claude.plan({ kind: 'text', text: 'Key in the query.' });
    const viaQuery = await fetch(`${gateway.url}/v1beta/models/claude-sonnet-5-5:generateContent?key=byokey-client-key-1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(viaQuery.status).toBe(200);
    expect(((await viaQuery.json()) as { candidates: Array<{ content: Content }> }).candidates[0].content.parts?.[0].text).toBe('Key in the query.');
  });

  test('lists models in Google shape', async () => {
    const names: string[] = [];
    for await (const model of await new GoogleGenAI({ apiKey: 'byokey-client-key-1', apiVersion: 'v1beta', httpOptions: { baseUrl: gateway.url } }).models.list()) names.push(model.name ?? '');
    expect(names).toEqual(expect.arrayContaining(['models/gemini-2.5-pro', 'models/gpt-5.1-codex', 'models/claude-sonnet-5-5']));
  });

  test('a Gemini client of a Gemini model passes through, thought signature and all', async () => {
    gemini.script({ kind: 'tools', calls: [{ name: 'get_weather', args: { city: 'Rome' } }], thought: 'Need the weather.' });
    const answer = await genai().models.generateContent({
      model: 'gemini-2.5-pro',
      contents: 'Weather in Rome?',
      config: { tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object' } }] }], thinkingConfig: { includeThoughts: true } },
    });
    const parts = answer.candidates?.[0]?.content?.parts ?? [];
    expect(parts[0]).toMatchObject({ text: 'Need the weather.', thought: true });
    expect(parts[1]).toMatchObject({ functionCall: { name: 'get_weather', args: { city: 'Rome' } }, thoughtSignature: GEMINI_FAKE_SIGNATURE });
    expect(gemini.lastGeneration().body.model).toBeUndefined();
    expect(gemini.lastGeneration().body.generationConfig).toEqual({ thinkingConfig: { includeThoughts: true } });
  });
});

/** POST streamGenerateContent without `alt=sse` (or with the `alt` given), as a plain HTTP client would. */
function streamWithoutSse(model: string, text: string, alt?: string) {
  return request(`${gateway.url}/v1beta/models/${model}:streamGenerateContent${alt ? `?alt=${alt}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'byokey-client-key-1' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text }] }] }),
  });
}

type ArrayElement = GeminiResponse & { error?: { code: number; message: string; status: string } };

/** The answer's text, thoughts left out. */
function textOf(elements: ArrayElement[]): string {
  return elements.flatMap((e) => e.candidates?.[0]?.content?.parts ?? []).filter((p) => !p.thought).map((p) => p.text ?? '').join('');
}

describe('the Gemini route to a Gemini model: the client\'s own bytes go upstream', () => {
  // JSON.parse and JSON.stringify would make the seed 12345678901234567000, the temperature 1 and
  // drop the spacing and the escape.
  const raw = '{ "contents": [{"role": "user", "parts": [{"text": "h\\u00e9llo"}]}],\n  "generationConfig": {"seed": 12345678901234567890, "temperature": 1.0} }';

  test.each([
    ['generateContent', ''],
    ['streamGenerateContent', '?alt=sse'],
  ])('%s', async (method, query) => {
    gemini.script({ kind: 'text', text: 'Same bytes.' });
    const res = await request(`${gateway.url}/v1beta/models/gemini-2.5-pro:${method}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'byokey-client-key-1' },
      body: raw,
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toContain('"candidates"');
    const sent = gemini.lastGeneration();
    expect(sent.path).toBe(`/v1beta/models/gemini-2.5-pro:${method}`);
    expect(sent.text).toBe(raw);
  });

  test('a body that names a model itself is sent without it, serialized', async () => {
    gemini.script({ kind: 'text', text: 'Rewritten.' });
    const res = await request(`${gateway.url}/v1beta/models/gemini-2.5-pro:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'byokey-client-key-1' },
      body: '{"model": "other", "contents": [{"role": "user", "parts": [{"text": "hi"}]}]}',
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(gemini.lastGeneration().text).toBe('{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}');
  });
});

describe('the Gemini route without alt=sse: one JSON array, streamed', () => {
  test('a Codex (Responses) model answers with an array of chunks, the last with finishReason and usage', async () => {
    codex.plan({ kind: 'text', text: 'An array from Codex.', reasoning: 'Thinking first.' });
    const res = await streamWithoutSse('gpt-5.1-codex', 'Stream as JSON');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const raw = await res.body.text();
    // Google's framing: `[`, elements separated by `\n,\r\n`, `\n]`.
    expect(raw.startsWith('[')).toBe(true);
    expect(raw).toContain('}\n,\r\n{');
    expect(raw.endsWith('\n]')).toBe(true);
    const elements = JSON.parse(raw) as ArrayElement[];
    expect(Array.isArray(elements)).toBe(true);
    expect(elements.length).toBeGreaterThan(1);
    expect(textOf(elements)).toBe('An array from Codex.');
    const last = elements.at(-1)!;
    expect(last.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last.usageMetadata?.promptTokenCount).toBe(11);
    expect(elements.some((e) => e.error)).toBe(false);
  });

  test('a Gemini model passes its chunks through as the elements; alt=json is the same', async () => {
    gemini.script({ kind: 'text', text: 'Straight from Gemini.' });
    const res = await streamWithoutSse('gemini-2.5-pro', 'hi', 'json');
    expect(res.statusCode).toBe(200);
    const elements = JSON.parse(await res.body.text()) as ArrayElement[];
    expect(textOf(elements)).toBe('Straight from Gemini.');
    expect(elements.at(-1)!.candidates?.[0]?.finishReason).toBe('STOP');
    expect(elements.at(-1)!.usageMetadata?.totalTokenCount).toBeGreaterThan(0);
    // Upstream the gateway still asks for SSE.
    expect(gemini.lastGeneration().query.get('alt')).toBe('sse');
  });

  test('the first element arrives while the upstream is still answering; the rest follows its release', async () => {
    // message_start, content_block_start, ping, the first word: then the fake waits.
    claude.fake.script({ kind: 'answer', answer: 'text', text: 'Held back answer here', thinking: false, holdAfter: 4 });
    const res = await streamWithoutSse('claude-sonnet-5-5', 'hi');
    expect(res.statusCode).toBe(200);
    const pieces = res.body[Symbol.asyncIterator]();
    let raw = '';
    while (!raw.includes('"text"')) {
      const next = await pieces.next();
      if (next.done) throw new Error(`the body ended before its first element: ${raw}`);
      raw += String(next.value);
    }
    expect(raw.startsWith('[')).toBe(true);
    expect(raw).not.toContain(']\n]');
    expect(claude.fake.heldResponses).toBeGreaterThanOrEqual(1);
    claude.fake.release();
    for (let next = await pieces.next(); !next.done; next = await pieces.next()) raw += String(next.value);
    const elements = JSON.parse(raw) as ArrayElement[];
    expect(textOf(elements)).toBe('Held back answer here');
    expect(elements.at(-1)!.candidates?.[0]?.finishReason).toBe('STOP');
  });

  test('a client that leaves mid-array cancels the upstream', async () => {
    const aborted = claude.fake.abortedResponses;
    claude.fake.script({ kind: 'answer', answer: 'text', text: 'Never finished', thinking: false, holdAfter: 4 });
    const res = await streamWithoutSse('claude-sonnet-5-5', 'hi');
    const pieces = res.body[Symbol.asyncIterator]();
    await pieces.next();
    res.body.destroy();
    await claude.fake.waitForAborts(aborted + 1);
    expect(claude.fake.abortedResponses).toBe(aborted + 1);
  });

  test('a failure mid-stream ends the array with Google\'s error object: the body parses, and never as a finished answer', async () => {
    claude.plan({ kind: 'fail-mid', text: 'Half' });
    const res = await streamWithoutSse('claude-sonnet-5-5', 'hi');
    expect(res.statusCode).toBe(200);
    const elements = JSON.parse(await res.body.text()) as ArrayElement[];
    // The fake sends the first word of 'Half and more', then its error.
    expect(textOf(elements).trim()).toBe('Half');
    const last = elements.at(-1)!;
    expect(last.error?.code).toBeGreaterThanOrEqual(500);
    expect(typeof last.error?.message).toBe('string');
    expect(typeof last.error?.status).toBe('string');
    expect(elements.some((e) => e.candidates?.[0]?.finishReason)).toBe(false);
  });

  test('a failure before the first chunk is an ordinary Google error; an alt other than sse or json is refused', async () => {
    claude.plan({ kind: 'fail-before' });
    const limited = await streamWithoutSse('claude-sonnet-5-5', 'hi');
    expect(limited.statusCode).toBe(429);
    expect(((await limited.body.json()) as ArrayElement).error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });

    const proto = await streamWithoutSse('claude-sonnet-5-5', 'hi', 'proto');
    expect(proto.statusCode).toBe(400);
    expect(((await proto.body.json()) as ArrayElement).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
  });
});
