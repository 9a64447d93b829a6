// What each scenario sends to each target. byokey gets the client's request; direct and the floor
// get the request as it reaches the upstream (for translation scenarios, already translated:
// the floor does no translation, which is the point of the comparison).

/**
 * `candidate` is a second byokey build (`--compare DIR`), measured in the same rotation. `keyed`
 * is a second byokey process of the same build that needs a client key (with every limit set,
 * none low enough to trip), measured beside the keyless `byokey` in keyed scenarios: the A/B
 * cost of access control. `shared` is that keyed gateway again on the multi-instance backends —
 * PostgreSQL store (usage records, keys) and Redis limit counters — measured beside `keyed`
 * (embedded SQLite, limits in memory) in shared scenarios: the A/B cost of running as a fleet.
 * `logged` is the keyless gateway again at `--log-level info` (one JSON line per request, drained
 * by the parent), measured beside `byokey` (silent) in logged scenarios: the A/B cost of request
 * logging. Metrics are on in both: their cost is an A/B against an older build (`--compare`).
 */
export type TargetName = 'direct' | 'floor' | 'byokey' | 'candidate' | 'keyed' | 'shared' | 'logged';
export const TARGETS: readonly TargetName[] = ['direct', 'floor', 'byokey'];

export interface RequestSpec {
  path: string;
  body: string;
  headers: Record<string, string>;
  /** A whole, successful answer contains this (checked once per target before measuring). */
  expect: string;
}

export interface Scenario {
  id: string;
  title: string;
  /** What byokey is sent. */
  byokey: RequestSpec;
  /** What the fake upstream is sent, directly or through the floor. */
  upstream: RequestSpec;
  /** Also measured on the keyed gateway, with its client key (the `keyed` target). */
  keyed?: boolean;
  /** Also measured on the keyed gateway on PostgreSQL and Redis (the `shared` target). */
  shared?: boolean;
  /** Also measured on the gateway logging at info (the `logged` target). */
  logged?: boolean;
}

const SYSTEM = 'You are a concise assistant. Answer in plain text. Keep every answer under fifty words unless asked otherwise.';
const HISTORY = [
  { role: 'user', content: 'What is a gateway, in one sentence?' },
  { role: 'assistant', content: 'A gateway is a server that sits between clients and upstream services, forwarding and translating their requests.' },
];

function userText(padBytes: number): string {
  const base = 'Now explain what an AI gateway adds on top of that, briefly.';
  return padBytes > 0 ? `${base} ${'context '.repeat(Math.ceil(padBytes / 8))}` : base;
}

const JSON_HEADERS = { 'content-type': 'application/json', authorization: 'Bearer bench-client' };
const ANTHROPIC_HEADERS = { 'content-type': 'application/json', 'x-api-key': 'bench-client', 'anthropic-version': '2023-06-01' };

function chatBody(model: string, stream: boolean, pad: number): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model,
    messages: [{ role: 'system', content: SYSTEM }, ...HISTORY, { role: 'user', content: userText(pad) }],
    temperature: 0.2,
    max_tokens: 256,
  };
  if (stream) body.stream = true;
  return body;
}

/** The Responses request byokey makes of a chat request (codex-request.ts), near enough. */
function responsesBody(pad: number): Record<string, unknown> {
  const text = (role: string, t: string) => ({ type: 'message', role, content: [{ type: role === 'assistant' ? 'output_text' : 'input_text', text: t }] });
  return {
    model: 'gpt-5.1-codex',
    instructions: '',
    input: [text('developer', SYSTEM), text('user', HISTORY[0].content), text('assistant', HISTORY[1].content), text('user', userText(pad))],
    store: false,
    stream: true,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: '8e1f0c2a-1b2c-3d4e-5f60-718293a4b5c6',
  };
}

function messagesBody(model: string, pad: number): Record<string, unknown> {
  return { model, system: SYSTEM, messages: [...HISTORY, { role: 'user', content: userText(pad) }], max_tokens: 256, temperature: 0.2, stream: true };
}

function geminiBody(pad: number): Record<string, unknown> {
  const text = (role: string, t: string) => ({ role, parts: [{ text: t }] });
  return {
    systemInstruction: { parts: [{ text: SYSTEM }] },
    contents: [text('user', HISTORY[0].content), text('model', HISTORY[1].content), text('user', userText(pad))],
    generationConfig: { temperature: 0.2, maxOutputTokens: 256 },
  };
}

const spec = (path: string, body: Record<string, unknown>, expect: string, headers: Record<string, string> = JSON_HEADERS): RequestSpec => ({
  path,
  body: JSON.stringify(body),
  headers,
  expect,
});

export function scenarios(pad: number): Scenario[] {
  return [
    {
      id: 'json',
      title: 'chat, non-stream JSON',
      byokey: spec('/v1/chat/completions', chatBody('bench-model', false, pad), '"finish_reason":"stop"'),
      upstream: spec('/v1/chat/completions', chatBody('bench-model', false, pad), '"finish_reason":"stop"'),
    },
    {
      id: 'keyed',
      title: 'chat, non-stream JSON: keyless byokey vs byokey with a client key and limits',
      byokey: spec('/v1/chat/completions', chatBody('bench-model', false, pad), '"finish_reason":"stop"'),
      upstream: spec('/v1/chat/completions', chatBody('bench-model', false, pad), '"finish_reason":"stop"'),
      keyed: true,
    },
    {
      id: 'shared',
      title: 'chat, non-stream JSON, keyed: embedded store (SQLite, limits in memory) vs PostgreSQL store and Redis limits',
      byokey: spec('/v1/chat/completions', chatBody('bench-model', false, pad), '"finish_reason":"stop"'),
      upstream: spec('/v1/chat/completions', chatBody('bench-model', false, pad), '"finish_reason":"stop"'),
      keyed: true,
      shared: true,
    },
    {
      id: 'logged',
      title: 'chat, non-stream JSON: byokey at --log-level silent vs info (a JSON line per request)',
      byokey: spec('/v1/chat/completions', chatBody('bench-model', false, pad), '"finish_reason":"stop"'),
      upstream: spec('/v1/chat/completions', chatBody('bench-model', false, pad), '"finish_reason":"stop"'),
      logged: true,
    },
    {
      id: 'stream',
      title: 'chat, 20-chunk SSE stream',
      byokey: spec('/v1/chat/completions', chatBody('bench-model', true, pad), 'data: [DONE]'),
      upstream: spec('/v1/chat/completions', chatBody('bench-model', true, pad), 'data: [DONE]'),
    },
    {
      id: 'codex',
      title: 'Codex: chat stream in, Responses SSE upstream',
      byokey: spec('/v1/chat/completions', chatBody('gpt-5.1-codex', true, pad), 'data: [DONE]'),
      upstream: spec('/backend-api/codex/responses', responsesBody(pad), 'event: response.completed'),
    },
    {
      id: 'anthropic',
      title: 'Anthropic: Messages stream in, chat SSE upstream',
      byokey: spec('/v1/messages', messagesBody('bench-model', pad), 'event: message_stop', ANTHROPIC_HEADERS),
      upstream: spec('/v1/chat/completions', chatBody('bench-model', true, pad), 'data: [DONE]'),
    },
    {
      id: 'gemini',
      title: 'Gemini: generateContent in, Gemini upstream by API key (same protocol, whole JSON)',
      byokey: spec('/v1beta/models/gemini-2.5-flash:generateContent', geminiBody(pad), '"finishReason":"STOP"'),
      upstream: spec('/v1beta/models/gemini-2.5-flash:generateContent', geminiBody(pad), '"finishReason":"STOP"'),
    },
    {
      id: 'claude',
      title: 'Claude: chat stream in, Messages SSE upstream (api key)',
      byokey: spec('/v1/chat/completions', chatBody('claude-sonnet-5-5', true, pad), 'data: [DONE]'),
      upstream: spec('/v1/messages', messagesBody('claude-sonnet-5-5', pad), 'event: message_stop', ANTHROPIC_HEADERS),
    },
  ];
}

/** The request a target gets in a scenario; the keyed gateway's carries its client key. */
export function requestFor(scenario: Scenario, target: TargetName, clientKey = ''): RequestSpec {
  if (target === 'keyed' || target === 'shared') return { ...scenario.byokey, headers: { ...scenario.byokey.headers, authorization: `Bearer ${clientKey}` } };
  return target === 'byokey' || target === 'candidate' || target === 'logged' ? scenario.byokey : scenario.upstream;
}

/** A slow stream for the memory test: one chunk a second from the fake, through byokey. */
export function slowStreamBody(): string {
  return JSON.stringify(chatBody('bench-slow', true, 0));
}
