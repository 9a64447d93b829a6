// redactSecrets: every secret shape goes, the request's own credential goes in any form, ordinary
// upstream messages stay exactly as they were, and a megabyte of adversarial text takes
// milliseconds, not the quadratic seconds a backtracking pattern would.
import { REDACTED, redactSecrets } from './redact-secrets';

const OPENAI_KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z7AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6MTc3Nzk5OTk5OX0.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2VuLXJlYWxseQ';

describe('redactSecrets: key shapes', () => {
  it.each<[string, string, string]>([
    ['OpenAI key', `Incorrect API key provided: sk-Ab3dEf6hIj9kLm2nOp5qRs8t.`, `Incorrect API key provided: sk-${REDACTED}.`],
    ['OpenAI project key', `key ${OPENAI_KEY} is invalid`, `key sk-proj-${REDACTED} is invalid`],
    ['OpenAI masked key', 'Incorrect API key provided: sk-proj-********************************8D0A.', `Incorrect API key provided: sk-proj-${REDACTED}.`],
    ['OpenAI service account key', 'sk-svcacct-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2', `sk-svcacct-${REDACTED}`],
    ['Anthropic API key', 'invalid key sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEfAA', `invalid key sk-ant-api03-${REDACTED}`],
    ['Anthropic OAuth token', '(sk-ant-oat01-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe)', `(sk-ant-oat01-${REDACTED})`],
    ['OpenRouter key', 'sk-or-v1-0123456789abcdef0123456789abcdef', `sk-or-v1-${REDACTED}`],
    ['GitHub personal token', 'token ghp_16C7e42F292c6912E7710c838347Ae178B4a rejected', `token ghp_${REDACTED} rejected`],
    ['GitHub OAuth token', 'gho_16C7e42F292c6912E7710c838347Ae178B4a', `gho_${REDACTED}`],
    ['GitHub user token (Copilot)', 'ghu_16C7e42F292c6912E7710c838347Ae178B4a', `ghu_${REDACTED}`],
    ['GitHub fine-grained token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop', `github_pat_${REDACTED}`],
    ['Slack bot token', 'xoxb-1234567890-0987654321-AbCdEfGhIjKl', `xoxb-${REDACTED}`],
    ['Google API key', 'API key not valid: AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY', `API key not valid: AIza${REDACTED}`],
    ['Google OAuth token', 'ya29.a0AfH6SMBx3nX0d9Qz-Lm7kPq_RsTuVwXyZ', `ya29.${REDACTED}`],
    ['AWS access key id', 'The AWS Access Key Id AKIAIOSFODNN7EXAMPLE does not exist', `The AWS Access Key Id AKIA${REDACTED} does not exist`],
    ['JWT', `token ${JWT} expired`, `token eyJ${REDACTED} expired`],
    ['Bearer token', 'Authorization: Bearer abc123.def456-ghi789 was refused', `Authorization: Bearer ${REDACTED} was refused`],
    ['bearer token, any case', 'bearer qwenAccessTokenWithoutDigitsAtAll', `bearer ${REDACTED}`],
    ['Basic credentials', `Basic ${Buffer.from('admin:hunter2').toString('base64')} denied`, `Basic ${REDACTED} denied`],
    ['key in a URL query', 'GET https://generativelanguage.googleapis.com/v1beta/models?alt=sse&key=secret-value-1 failed', `GET https://generativelanguage.googleapis.com/v1beta/models?alt=sse&key=${REDACTED} failed`],
    ['access_token in a URL query', 'https://api.example.com/x?access_token=abc&y=1', `https://api.example.com/x?access_token=${REDACTED}&y=1`],
    ['password in a URL', 'cannot reach https://gateway:s3cr3t-pass@proxy.internal:8443/v1', `cannot reach https://gateway:${REDACTED}@proxy.internal:8443/v1`],
    ['named secret', '{"api_key": "local-secret-value", "model": "x"}', `{"api_key": "${REDACTED}", "model": "x"}`],
    ['x-api-key header quoted', 'x-api-key: mysecretvalue42 is not valid', `x-api-key: ${REDACTED} is not valid`],
  ])('%s', (_name, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it('keeps the public prefix of a key quoted as a named value or in a query', () => {
    expect(redactSecrets(`invalid x-api-key: ${OPENAI_KEY}`)).toBe(`invalid x-api-key: sk-proj-${REDACTED}`);
    expect(redactSecrets(`https://x.test/v1?key=${OPENAI_KEY}&a=1`)).toBe(`https://x.test/v1?key=sk-proj-${REDACTED}&a=1`);
  });

  it('keeps JSON text valid: a value ends before a backslash escape', () => {
    const json = JSON.stringify({ error: { message: 'see "https://x.test/v1?key=abc123" and password="hunter2-long"' } });
    const out = redactSecrets(json);
    expect(JSON.parse(out)).toEqual({ error: { message: `see "https://x.test/v1?key=${REDACTED}" and password="${REDACTED}"` } });
  });

  it('is idempotent: redacted text stays as it is', () => {
    const once = redactSecrets(`Bearer ${JWT}; key=${OPENAI_KEY}; ${OPENAI_KEY}`);
    expect(redactSecrets(once)).toBe(once);
    expect(once).not.toContain('Ab3dEf');
  });
});

describe('redactSecrets: the request’s own credential', () => {
  const own = 'local-vllm-7Hq2Lp9Xw4Zr';

  it('removes it whole, even when nothing about it looks like a key', () => {
    expect(redactSecrets(`Invalid token "${own}" for this server`, own)).toBe(`Invalid token "${REDACTED}" for this server`);
    expect(redactSecrets(`Invalid token "${own}"`)).toBe(`Invalid token "${own}"`);
  });

  it('keeps only the public prefix of a key it recognises', () => {
    expect(redactSecrets(`bad key ${OPENAI_KEY}`, OPENAI_KEY)).toBe(`bad key sk-proj-${REDACTED}`);
    expect(redactSecrets('bad key sk-ant-api03-fake-key-0001!', 'sk-ant-api03-fake-key-0001')).toBe(`bad key sk-ant-api03-${REDACTED}!`);
  });

  it.each([
    ['start...end', 'Incorrect API key provided: sk-pro...6789.'],
    ['start…end', 'Incorrect API key provided: sk-proj-Ab3…6789'],
    ['stars', 'Incorrect API key provided: sk-proj-**********6789'],
    ['bullets', 'key sk-••••6789 rejected'],
    ['only the end', 'key ending in ...456789 rejected'],
    ['a cut-off start', 'key sk-proj-Ab3dEf6h... rejected'],
  ])('removes a masked form (%s)', (_name, text) => {
    const out = redactSecrets(text, OPENAI_KEY);
    expect(out).toContain(REDACTED);
    expect(out).not.toMatch(/6789|Ab3d/);
  });

  it('keeps the period that ends the sentence after a masked key', () => {
    expect(redactSecrets('Incorrect API key provided: sk-Ab3d****6789. You can find…', 'sk-Ab3dEf6hIj9k6789')).toBe(`Incorrect API key provided: sk-${REDACTED}. You can find…`);
  });

  it('redacts a masked form of a custom key that matches no pattern', () => {
    expect(redactSecrets('token loc...Zr is not valid', own)).toBe(`token loc...Zr is not valid`);
    expect(redactSecrets('token local-v...9Xw4Zr is not valid', own)).toBe(`token ${REDACTED} is not valid`);
  });

  it('leaves masks that show other keys or too little, and ignores secrets too short to search for', () => {
    expect(redactSecrets('key sk-abc...0000 is unknown', 'sk-abc-custom-1234')).toBe('key sk-abc...0000 is unknown');
    expect(redactSecrets('please wait... none of the models answered', 'none')).toBe('please wait... none of the models answered');
  });
});

describe('redactSecrets: ordinary text', () => {
  it.each([
    'The model `gpt-5.1-codex` does not exist or you do not have access to it.',
    'Rate limit reached for gpt-4o-mini in organization org-AbCdEf123456 on tokens per min (TPM): Limit 30000. Please try again in 11.054s.',
    'request req_0123456789abcdef0123456789abcdef failed (x-request-id: 5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b)',
    'See https://platform.openai.com/docs/guides/error-codes/api-errors?lang=en#section for details.',
    'Invalid bearer token',
    'x-api-key header is required',
    'invalid x-api-key',
    'OAuth authentication is currently not supported.',
    'messages.0.content.1.image.source.base64: image exceeds 5 MB maximum',
    'Basic authentication is not supported; use Bearer authentication.',
    'claude-sonnet-5-5 is overloaded; model claude-3-7-sonnet-latest is deprecated',
    'upstream codex answered 429: The usage limit has been reached… try again later...',
    'connect ECONNREFUSED 127.0.0.1:8018',
    'password: must be at least 8 characters',
    'file sk-learn.py not found; task-0123456789 done',
  ])('%s', (text) => {
    expect(redactSecrets(text)).toBe(text);
    expect(redactSecrets(text, OPENAI_KEY)).toBe(text);
  });
});

describe('redactSecrets: linear time', () => {
  const MB = 1024 * 1024;
  const adversarial: Array<[string, string]> = [
    ['one long key-like run', 'sk-' + 'a'.repeat(MB)],
    ['prefixes back to back', 'sk-'.repeat(MB / 3)],
    ['JWT heads without dots', 'eyJ'.repeat(MB / 3)],
    ['JWT segments too short', 'eyJab.'.repeat(MB / 6)],
    ['a JWT head then a megabyte', 'eyJ' + 'a'.repeat(MB) + '.b'],
    ['bearer and whitespace', 'Bearer ' + ' '.repeat(MB) + 'x'],
    ['bearers back to back', 'bearer x '.repeat(MB / 9)],
    ['basic with no padding', 'Basic ' + 'A'.repeat(MB - 1)],
    ['url-ish dots', 'a.'.repeat(MB / 2)],
    ['url with colons and no at', 'http://' + 'a:'.repeat(MB / 2)],
    ['query keys without values', '?key='.repeat(MB / 5)],
    ['named secrets without separators', 'api_key '.repeat(MB / 8)],
    ['masks everywhere', 'sk-ab...cd '.repeat(MB / 11)],
    ['one long masked token', 'sk-' + '*'.repeat(MB)],
  ];

  // The best of three runs, against a bound about growth, not speed: a quadratic pattern takes
  // minutes on a megabyte (even n^1.5 takes seconds), a linear one ~20 ms here — and up to ~150 ms
  // while the full suite keeps both cores busy, so the bound leaves room for that.
  it.each(adversarial)('%s: 1 MB in under 500 ms', (_name, text) => {
    redactSecrets(text.slice(0, 1000), OPENAI_KEY); // compile the patterns outside the timing
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      const started = process.hrtime.bigint();
      redactSecrets(text, OPENAI_KEY);
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
    }
    expect(best).toBeLessThan(500);
  });
});
