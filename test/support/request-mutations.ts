// Mutated requests for the request fuzz (test/request-fuzz.e2e-spec.ts): a well-formed body for
// one of the gateway's POST routes, then one to three mutations — to the value (wrong types for
// every field, nulls everywhere, arrays where objects go, huge strings, deep nesting, numbers out
// of range, unicode edge cases, __proto__ keys, duplicate keys), to the bytes (truncation, bit
// flips, invalid UTF-8, a BOM, trailing garbage) or to the headers. Everything is drawn from a
// seeded PRNG, and each case from its own seed, so one failing case can be rebuilt alone.

export const FUZZ_ROUTES = ['/v1/chat/completions', '/v1/responses', '/v1/messages', '/v1/messages/count_tokens'] as const;
export type FuzzRoute = (typeof FUZZ_ROUTES)[number];

/** Models the fuzz gateway serves (chat, Claude, Codex), a prefixed one, and unknown ones. */
export const FUZZ_MODELS = ['fuzz-chat', 'fuzz-claude', 'fuzz-codex', 'local/fuzz-chat', 'claude/any-claude', 'no-such-model'];

export interface FuzzCase {
  route: FuzzRoute;
  headers: Record<string, string>;
  body: Buffer;
  /** What was done to the request, for the failure report. */
  mutations: string[];
}

/** mulberry32: small, fast, and the same sequence on every machine for a given seed. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** The seed of case `index` in a run seeded `seed`. */
export function caseSeed(seed: number, index: number): number {
  return (seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Text that JSON.stringify cannot produce (a 5,000-level nesting, `1e999`, a `__proto__` key):
 * the value holds a placeholder string, swapped for the raw text after stringifying.
 */
class RawText {
  private readonly texts: string[] = [];

  /** The raw text behind a placeholder, or undefined for any other value. */
  lookup(value: string): string | undefined {
    const match = /^@@RAW(\d+)@@$/.exec(value);
    return match ? this.texts[Number(match[1])] : undefined;
  }

  placeholder(text: string): string {
    this.texts.push(text);
    return `@@RAW${this.texts.length - 1}@@`;
  }

  substitute(json: string): string {
    return json.replace(/"@@RAW(\d+)@@"/g, (_match, n: string) => this.texts[Number(n)]);
  }
}

export function fuzzCase(random: Random): FuzzCase {
  const route = random.pick(FUZZ_ROUTES);
  const raw = new RawText();
  // Now and then a body meant for another route: every route must refuse the others' bodies.
  const body = baseBody(random, random.chance(0.08) ? random.pick(FUZZ_ROUTES) : route);
  const mutations: string[] = [];
  const headers: Record<string, string> = { 'content-type': 'application/json' };

  const count = random.chance(0.1) ? 0 : random.chance(0.6) ? 1 : 2 + random.int(2);
  let value: Json = body;
  const byteMutations: Array<(bytes: Buffer) => Buffer> = [];
  for (let i = 0; i < count; i++) {
    const kind = random.int(10);
    if (kind < 6) value = mutateValue(random, value, raw, mutations);
    else if (kind < 8) byteMutations.push(byteMutation(random, mutations));
    else mutateHeaders(random, headers, mutations);
  }
  let bytes: Buffer = Buffer.from(raw.substitute(JSON.stringify(value)), 'utf8');
  for (const mutate of byteMutations) bytes = mutate(bytes);
  return { route, headers, body: bytes, mutations };
}

// ---------------------------------------------------------------------------------------------
// Well-formed bodies

function baseBody(random: Random, route: FuzzRoute): JsonObject {
  // Mostly a model the route can reach, so the bodies travel on through translation upstream.
  const model = random.chance(0.2) ? random.pick(FUZZ_MODELS) : route === '/v1/responses' ? 'fuzz-codex' : random.pick(FUZZ_MODELS.slice(0, 3));
  const stream = random.chance(0.5);
  switch (route) {
    case '/v1/chat/completions':
      return chatBody(random, model, stream);
    case '/v1/responses':
      return responsesBody(random, model, stream);
    case '/v1/messages':
      return messagesBody(random, model, stream, true);
    case '/v1/messages/count_tokens':
      return messagesBody(random, model, false, false);
  }
}

function chatBody(random: Random, model: string, stream: boolean): JsonObject {
  const messages: Json[] = [];
  if (random.chance(0.5)) messages.push({ role: random.pick(['system', 'developer']), content: 'Be brief.' });
  messages.push({ role: 'user', content: 'Hello there' });
  if (random.chance(0.4)) {
    messages.push({
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this image?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
      ],
    });
  }
  if (random.chance(0.4)) {
    messages.push(
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
    );
  }
  const body: JsonObject = { model, messages, stream };
  if (stream && random.chance(0.5)) body.stream_options = { include_usage: true };
  if (random.chance(0.5)) body.tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
  if (random.chance(0.3)) body.tool_choice = random.pick<Json>(['auto', 'none', 'required', { type: 'function', function: { name: 'get_weather' } }]);
  if (random.chance(0.4)) body.temperature = 0.7;
  if (random.chance(0.3)) body.top_p = 0.9;
  if (random.chance(0.4)) body.max_tokens = 64;
  if (random.chance(0.2)) body.max_completion_tokens = 64;
  if (random.chance(0.2)) body.stop = random.pick<Json>(['END', ['END', '###']]);
  if (random.chance(0.2)) body.n = 1;
  if (random.chance(0.2)) body.user = 'user-1';
  if (random.chance(0.2)) body.reasoning_effort = 'low';
  if (random.chance(0.2)) body.response_format = { type: 'json_object' };
  if (random.chance(0.2)) body.metadata = { team: 'fuzz' };
  return body;
}

function responsesBody(random: Random, model: string, stream: boolean): JsonObject {
  const input: Json = random.chance(0.4)
    ? 'Hello there'
    : [
        { role: 'user', content: [{ type: 'input_text', text: 'Hello there' }, { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp":21}' },
        { type: 'message', role: 'user', content: 'And tomorrow?' },
      ];
  const body: JsonObject = { model, input, stream };
  if (random.chance(0.5)) body.instructions = 'Be brief.';
  if (random.chance(0.5)) body.tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
  if (random.chance(0.3)) body.reasoning = { effort: 'low', summary: 'auto' };
  if (random.chance(0.3)) body.text = { format: { type: 'text' } };
  if (random.chance(0.3)) body.max_output_tokens = 64;
  if (random.chance(0.3)) body.store = false;
  if (random.chance(0.2)) body.include = ['reasoning.encrypted_content'];
  if (random.chance(0.2)) body.parallel_tool_calls = true;
  return body;
}

function messagesBody(random: Random, model: string, stream: boolean, withMaxTokens: boolean): JsonObject {
  const messages: Json[] = [{ role: 'user', content: 'Hello there' }];
  if (random.chance(0.4)) {
    messages.push(
      { role: 'assistant', content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"temp":21}' }, { type: 'text', text: 'Thanks' }] },
    );
  }
  if (random.chance(0.3)) {
    messages.push(
      { role: 'assistant', content: 'Sure.' },
      { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }, { type: 'text', text: 'What is this?' }] },
    );
  }
  const body: JsonObject = { model, messages };
  if (withMaxTokens) body.max_tokens = 256;
  if (stream) body.stream = true;
  if (random.chance(0.5)) body.system = random.pick<Json>(['Be brief.', [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }]]);
  if (random.chance(0.5)) body.tools = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
  if (random.chance(0.3)) body.tool_choice = random.pick<Json>([{ type: 'auto' }, { type: 'any' }, { type: 'tool', name: 'get_weather' }]);
  if (random.chance(0.3)) body.temperature = 0.5;
  if (random.chance(0.2)) body.top_k = 5;
  if (random.chance(0.2)) body.top_p = 0.9;
  if (random.chance(0.2)) body.stop_sequences = ['END'];
  if (random.chance(0.2)) body.thinking = { type: 'enabled', budget_tokens: 1024 };
  if (random.chance(0.2)) body.metadata = { user_id: 'user-1' };
  return body;
}

// ---------------------------------------------------------------------------------------------
// Mutations of the value

/** Values of every type and edge, for any field. */
function weirdValue(random: Random, raw: RawText): Json {
  switch (random.int(12)) {
    case 0:
      return random.pick<Json>([null, true, false, 0, -1, 1, 0.5, -0.5]);
    case 1:
      return random.pick<Json>([1e308, -1e308, 2 ** 53 + 1, -(2 ** 63), 5e-324, 4294967296, -2147483649]);
    case 2:
      // Numbers JSON allows and JavaScript cannot hold: Infinity, 0, or a rounded integer.
      return raw.placeholder(random.pick(['1e999', '-1e999', '1e-400', '123456789012345678901234567890', '-0', '0.0000000000000000000001', '1E+2']));
    case 3:
      return random.pick<Json>(['', ' ', 'x', 'true', '42', 'null', '{}', '[]', 'gpt-4o', 'user', 'assistant', 'function', 'text', 'image_url']);
    case 4:
      return random.pick<Json>(['\u0000', '\ud800', 'a\udfffb', '\u202e\u2066rtl', '\ufeff', '\u2028\u2029', 'e\u0301\u0301\u0301', '💥'.repeat(100), '\u0007\u001b[31m']);
    case 5:
      return raw.placeholder(random.pick(['"\\ud800"', '"\\udc00\\ud800"', '"\\u0000\\u001f"', '"\\u00e9\\u20ac"', '"\\/\\b\\f"']));
    case 6:
      return 'x'.repeat(random.chance(0.1) ? 1_000_000 + random.int(1_000_000) : 1000 + random.int(100_000));
    case 7:
      return random.pick<Json>([[], [null], [1, 'a', null], [[]], [{}], ['x'.repeat(10)]]);
    case 8:
      return random.pick<Json>([{}, { type: 'text' }, { role: 'user' }, { '': '' }, { length: 5 }, { toString: 'x', valueOf: 1 }]);
    case 9:
      return raw.placeholder(random.pick(['{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"__proto__":null}', '[{"__proto__":[]}]']));
    case 10:
      return raw.placeholder(nested(random, random.pick([10, 64, 120, 127, 129, 200, 1000, 5000, 50_000])));
    default:
      return Array.from({ length: 1 + random.int(2000) }, (_, i) => (i % 2 ? { role: 'user', content: 'x' } : null));
  }
}

function nested(random: Random, depth: number): string {
  const array = random.chance(0.5);
  return array ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + 'null' + '}'.repeat(depth);
}

type Path = Array<string | number>;

function paths(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (value === null || typeof value !== 'object') return out;
  for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
    const path = [...prefix, key];
    out.push(path);
    paths((value as Record<string | number, Json>)[key], path, out);
  }
  return out;
}

function get(value: Json, path: Path): Json {
  let at: Json = value;
  for (const key of path) at = (at as Record<string | number, Json>)[key];
  return at;
}

/** Sets (or with `undefined`, deletes) the value at `path`; an empty path replaces the root. */
function set(root: Json, path: Path, next: Json | undefined): Json {
  if (path.length === 0) return next ?? null;
  const parent = get(root, path.slice(0, -1)) as Record<string | number, Json>;
  const key = path[path.length - 1];
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else {
    parent[key] = next;
  }
  return root;
}

function mutateValue(random: Random, value: Json, raw: RawText, mutations: string[]): Json {
  const all = paths(value);
  const path: Path = all.length === 0 || random.chance(0.04) ? [] : random.pick(all);
  const at = path.length ? get(value, path) : value;
  const where = path.length ? path.join('.') : '(root)';
  switch (random.int(9)) {
    case 0:
    case 1:
    case 2: {
      const next = weirdValue(random, raw);
      mutations.push(`${where} = ${describe(next, raw)}`);
      return set(value, path, next);
    }
    case 3:
      mutations.push(`delete ${where}`);
      return set(value, path, path.length ? undefined : {});
    case 4:
      mutations.push(`${where} wrapped in an array`);
      return set(value, path, [at]);
    case 5: {
      // Arrays where objects go, and objects where arrays go.
      const swapped: Json = Array.isArray(at) ? Object.fromEntries(at.map((v, i) => [String(i), v])) : at !== null && typeof at === 'object' ? Object.values(at) : { value: at };
      mutations.push(`${where} array<->object`);
      return set(value, path, swapped);
    }
    case 6:
      mutations.push('nulls everywhere');
      return nullify(random, value);
    case 7: {
      // A key twice (JSON.parse keeps the last), or a key that names a prototype.
      if (at === null || typeof at !== 'object' || Array.isArray(at)) return mutateValue(random, value, raw, mutations);
      const key = random.pick(['"__proto__"', '"constructor"', '"prototype"', '"model"', '"messages"', '"stream"', '"role"', '"type"', '"content"']);
      const object = at as JsonObject;
      const added = weirdValue(random, raw);
      object[raw.placeholder(key)] = added;
      mutations.push(`${where} gets key ${key} = ${describe(added, raw)}`);
      return value;
    }
    default: {
      // Many copies of an element: long arrays of messages, blocks or tools.
      if (!Array.isArray(at) || at.length === 0) return mutateValue(random, value, raw, mutations);
      const element = at[random.int(at.length)];
      // Up to about 8 MB in all, so a huge string copied stays within the body limit's reach.
      const size = (JSON.stringify(element) ?? '').length + 1;
      const copies = Math.min(1 + random.int(random.chance(0.1) ? 5000 : 50), Math.floor(8_000_000 / size));
      for (let i = 0; i < copies; i++) at.push(structuredClone(element));
      mutations.push(`${where} repeated ${copies} more times`);
      return value;
    }
  }
}

function nullify(random: Random, value: Json): Json {
  if (value === null || typeof value !== 'object') return random.chance(0.5) ? null : value;
  if (Array.isArray(value)) return value.map((v) => nullify(random, v));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nullify(random, v)]));
}

function describe(value: Json, raw: RawText): string {
  const text = (typeof value === 'string' && raw.lookup(value)) || JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}… (${text.length} chars)` : text;
}

// ---------------------------------------------------------------------------------------------
// Mutations of the bytes

const INVALID_UTF8 = [[0xff], [0xc0, 0x80], [0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xfe, 0xfe, 0xff, 0xff]];

function byteMutation(random: Random, mutations: string[]): (bytes: Buffer) => Buffer {
  switch (random.int(7)) {
    case 0: {
      const fraction = random.next();
      mutations.push(`truncated at ${(fraction * 100).toFixed(0)}%`);
      return (bytes) => bytes.subarray(0, Math.floor(bytes.length * fraction));
    }
    case 1: {
      const flips = 1 + random.int(8);
      const at = Array.from({ length: flips }, () => [random.next(), random.int(8)] as const);
      mutations.push(`${flips} bit flips`);
      return (bytes) => {
        const out = Buffer.from(bytes);
        for (const [where, bit] of at) if (out.length) out[Math.floor(where * out.length)] ^= 1 << bit;
        return out;
      };
    }
    case 2: {
      const sequence = random.pick(INVALID_UTF8);
      const where = random.next();
      mutations.push(`invalid UTF-8 ${Buffer.from(sequence).toString('hex')}`);
      return (bytes) => {
        // Inside a string when there is one: after a quote near the chosen spot.
        const quote = bytes.indexOf(0x22, Math.floor(where * bytes.length));
        const at = quote < 0 ? bytes.length : quote + 1;
        return Buffer.concat([bytes.subarray(0, at), Buffer.from(sequence), bytes.subarray(at)]);
      };
    }
    case 3:
      mutations.push('BOM first');
      return (bytes) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    case 4: {
      const tail = random.pick(['}', ']', ' x', '\u0000', ',', '{}', '\n\n\n']);
      mutations.push(`trailing ${JSON.stringify(tail)}`);
      return (bytes) => Buffer.concat([bytes, Buffer.from(tail)]);
    }
    case 5: {
      const body = random.pick(['', ' ', 'null', '[]', '"text"', '42', 'true', '{', '{"model":', '[{"model":"fuzz-chat"}]']);
      mutations.push(`body ${JSON.stringify(body)}`);
      return () => Buffer.from(body);
    }
    default: {
      const text = random.pick(['model=fuzz-chat&stream=true', '<xml/>', '\u0000\u0001\u0002', 'GET / HTTP/1.1\r\n\r\n']);
      mutations.push(`body ${JSON.stringify(text)}`);
      return () => Buffer.from(text);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations of the headers

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'Application/JSON',
  'application/json ; foo=bar',
  'application/json, text/plain',
  'application/vnd.api+json',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  '*/*',
  'json',
  '',
];

function mutateHeaders(random: Random, headers: Record<string, string>, mutations: string[]): void {
  switch (random.int(6)) {
    case 0: {
      const type = random.pick(CONTENT_TYPES);
      if (type === '') delete headers['content-type'];
      else headers['content-type'] = type;
      mutations.push(`content-type ${JSON.stringify(type)}`);
      return;
    }
    case 1: {
      const encoding = random.pick(['gzip', 'br', 'deflate', 'identity', 'x-unknown']);
      headers['content-encoding'] = encoding;
      mutations.push(`content-encoding ${encoding}`);
      return;
    }
    case 2: {
      // Forwarded to Claude: they must not break the upstream request.
      headers['anthropic-beta'] = random.pick(['', 'x', 'a,,b', ' , ', 'oauth-2025-04-20,oauth-2025-04-20', 'é', 'x'.repeat(4000)]);
      headers['anthropic-version'] = random.pick(['', '2023-06-01', 'latest', '\u00ff']);
      mutations.push(`anthropic headers ${JSON.stringify([headers['anthropic-beta'].slice(0, 20), headers['anthropic-version']])}`);
      return;
    }
    case 3: {
      headers['x-request-id'] = random.pick(['', ' ', 'id with spaces', 'x'.repeat(300), '\u00e9t\u00e9', 'a\tb', 'ok-id-1']);
      mutations.push(`x-request-id ${JSON.stringify(headers['x-request-id'].slice(0, 20))}`);
      return;
    }
    case 4: {
      headers.authorization = random.pick(['', 'Bearer', 'Bearer ' + 'k'.repeat(2000), 'Basic !!!', 'x']);
      headers['x-api-key'] = random.pick(['', 'sk-ant', '\u00ff\u00fe']);
      mutations.push('odd credentials');
      return;
    }
    default: {
      const count = 1 + random.int(40);
      for (let i = 0; i < count; i++) headers[`x-fuzz-${i}`] = 'v'.repeat(random.int(150));
      headers.accept = random.pick(['text/event-stream', 'application/xml', '*/*', '']);
      mutations.push(`${count} extra headers`);
    }
  }
}
