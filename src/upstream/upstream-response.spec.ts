// parseErrorBody (every error shape upstreams send), keepHeaders, and upstreamStatusError.
import type { UpstreamResponse } from './upstream-http.service';
import { UpstreamError } from './upstream-error';
import { keepHeaders, parseErrorBody, upstreamStatusError } from './upstream-response';

describe('parseErrorBody', () => {
  it.each<[string, string, ReturnType<typeof parseErrorBody>]>([
    [
      "OpenAI's {error:{message,type,param,code}}",
      JSON.stringify({ error: { message: 'Invalid model', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } }),
      { message: 'Invalid model', type: 'invalid_request_error', param: 'model', code: 'model_not_found' },
    ],
    [
      'an OpenAI error with null param and code',
      JSON.stringify({ error: { message: 'Rate limit', type: 'requests', param: null, code: null } }),
      { message: 'Rate limit', type: 'requests', param: null, code: undefined },
    ],
    [
      'a numeric code (Google style), as a string',
      JSON.stringify({ error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } }),
      { message: 'Quota exceeded', type: undefined, param: null, code: '429' },
    ],
    ['{error:"text"}', JSON.stringify({ error: 'model overloaded' }), { message: 'model overloaded' }],
    ['FastAPI {detail:"text"}', JSON.stringify({ detail: 'Not authenticated' }), { message: 'Not authenticated' }],
    [
      'FastAPI {detail:[...]} as JSON text',
      JSON.stringify({ detail: [{ loc: ['body', 'model'], msg: 'field required' }] }),
      { message: '[{"loc":["body","model"],"msg":"field required"}]' },
    ],
    ['a bare {message}', JSON.stringify({ message: 'Unauthorized', statusCode: 401 }), { message: 'Unauthorized' }],
    ['plain text, trimmed', '  Bad Gateway \n', { message: 'Bad Gateway' }],
    ['an HTML page as text', '<html><body>502 Bad Gateway</body></html>', { message: '<html><body>502 Bad Gateway</body></html>' }],
    ['an empty body', '', {}],
    ['whitespace only', ' \n ', {}],
    ['a JSON object without an error', JSON.stringify({ ok: false }), {}],
    ['JSON null', 'null', {}],
    ['a JSON string', '"model overloaded"', { message: 'model overloaded' }],
    ['a JSON number', '503', {}],
  ])('reads %s', (_label, text, expected) => {
    expect(parseErrorBody(text)).toStrictEqual(expected);
  });

  it('truncates long text to 500 characters and marks the cut', () => {
    const text = 'x'.repeat(499) + 'YZ' + 'z'.repeat(1000);
    const { message } = parseErrorBody(text);
    expect(message).toBe('x'.repeat(499) + 'Y…');
    expect(message).toHaveLength(501);
  });

  it.each<[number, string]>([
    [500, 'a'.repeat(500)],
    [501, 'a'.repeat(500) + '…'],
  ])('cuts exactly at the limit: %i characters', (length, expected) => {
    expect(parseErrorBody('a'.repeat(length)).message).toBe(expected);
  });
});

describe('keepHeaders', () => {
  it('keeps retry and rate-limit headers and drops the rest', () => {
    expect(
      keepHeaders({
        'content-type': 'application/json',
        'retry-after': '20',
        'retry-after-ms': '20000',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-tokens': '6m0s',
        'anthropic-ratelimit-requests-remaining': '5',
        'x-codex-primary-used-percent': '80',
        'set-cookie': ['a=1', 'b=2'],
        'x-request-id': 'req_1',
        'openai-organization': 'org',
        'x-ratelimit': 'no trailing dash',
        missing: undefined,
      }),
    ).toStrictEqual({
      'retry-after': '20',
      'retry-after-ms': '20000',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-tokens': '6m0s',
      'anthropic-ratelimit-requests-remaining': '5',
      'x-codex-primary-used-percent': '80',
    });
  });

  it('joins a repeated header with ", "', () => {
    expect(keepHeaders({ 'x-ratelimit-limit': ['10', '20'] })).toStrictEqual({ 'x-ratelimit-limit': '10, 20' });
  });

  it('gives an empty object for no headers worth keeping', () => {
    expect(keepHeaders({ 'content-length': '3' })).toStrictEqual({});
  });
});

describe('upstreamStatusError', () => {
  const response = (status: number, headers: UpstreamResponse['headers']): UpstreamResponse => ({
    status,
    headers,
    body: undefined as unknown as UpstreamResponse['body'],
  });

  it('makes a status failure carrying the parsed error', () => {
    const error = upstreamStatusError(
      'openai',
      response(400, { 'content-type': 'application/json' }),
      JSON.stringify({ error: { message: 'bad temperature', type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' } }),
    );
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      message: 'upstream openai answered 400: bad temperature',
      failure: 'status',
      instance: 'openai',
      status: 400,
      upstreamMessage: 'bad temperature',
      upstreamType: 'invalid_request_error',
      upstreamCode: 'invalid_value',
      upstreamParam: 'temperature',
      headers: {},
    });
  });

  it('keeps retry-after and retry-after-ms, and only those', () => {
    const error = upstreamStatusError(
      'groq',
      response(429, { 'retry-after': '7', 'retry-after-ms': '6500', 'x-ratelimit-remaining-requests': '0', 'content-type': 'text/plain' }),
      'slow down',
    );
    expect(error.headers).toStrictEqual({ 'retry-after': '7', 'retry-after-ms': '6500' });
    expect(error.message).toBe('upstream groq answered 429: slow down');
  });

  it('leaves the detail out of the message when the body says nothing', () => {
    const error = upstreamStatusError('vllm', response(503, {}), '');
    expect(error.message).toBe('upstream vllm answered 503');
    expect(error.upstreamMessage).toBeUndefined();
  });

  it('redacts the request credential, whole or masked, from message, code and param, and from the stack', () => {
    const secret = 'vllm-local-Q7x2Lp9Wz4Kr';
    const error = upstreamStatusError(
      'vllm',
      response(401, {}),
      JSON.stringify({ error: { message: `Incorrect API key provided: ${secret}. Did you mean vllm-loc...9Wz4Kr?`, type: 'invalid_request_error', param: `key:${secret}`, code: `bad_${secret}` } }),
      secret,
    );
    for (const text of [error.message, error.upstreamMessage, error.upstreamParam, error.upstreamCode, error.stack]) {
      expect(text).toContain('[redacted]');
      expect(text).not.toMatch(/Q7x2|9Wz4Kr/);
    }
    expect(error.upstreamMessage).toBe('Incorrect API key provided: [redacted]. Did you mean [redacted]?');
  });
});

describe('UpstreamError', () => {
  it('redacts key-shaped secrets it is given without the credential, its cause included', () => {
    const cause = Object.assign(new TypeError('not an http(s) URL: ftp://host/v1?key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'), { code: 'ERR_X' });
    const error = new UpstreamError('could not reach upstream gemini (Bearer ya29.a0AfH6SMBx3nX0d9Qz-Lm7kPq_RsTu)', { failure: 'connect', instance: 'gemini', cause });
    expect(error.message).toBe('could not reach upstream gemini (Bearer ya29.[redacted])');
    const clean = error.cause as Error & { code?: string };
    expect(clean.message).toBe('not an http(s) URL: ftp://host/v1?key=AIza[redacted]');
    expect(clean.stack).not.toContain('9tSrke');
    expect(clean).toMatchObject({ name: 'TypeError', code: 'ERR_X' });
  });

  it('keeps a clean cause as it is', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:9');
    expect(new UpstreamError('could not reach upstream x', { failure: 'connect', instance: 'x', cause }).cause).toBe(cause);
  });
});
