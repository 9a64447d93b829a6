// Scrubs secrets out of text that came from an upstream (error messages, codes, transport
// errors) before a client or a log line sees it. Upstreams quote what they were sent — "Incorrect
// API key provided: sk-proj-…", a URL with `?key=` — and an error is passed on verbatim, so
// every piece of upstream text is run through here where its error is built.
//
// Two things are removed: the request's own credential (passed in: the API key or OAuth token
// the gateway sent), whole or in a masked form such as `sk-abc...wxyz`, and anything shaped like
// a secret (provider key prefixes, `Bearer`/`Basic` credentials, JWTs, secret-looking URL query
// parameters and `key: value` pairs). A secret becomes `[redacted]` after its public, non-secret
// prefix (`sk-proj-[redacted]`, `Bearer [redacted]`), so a person can still tell what kind of
// credential was meant — never any character of the secret itself.
//
// Linear time: every pattern is anchored at the start of a run of token characters (a lookbehind
// rejects starts inside a run), has no nested quantifiers, and ambiguous candidates are decided
// in a callback instead of by backtracking.

export const REDACTED = '[redacted]';

/** A secret shorter than this is not searched for as such: `none`, `x` would mangle ordinary words. */
const MIN_OWN_SECRET_LENGTH = 8;

/** Provider key and token prefixes; the first group is kept. */
const KEY_PATTERNS: readonly RegExp[] = [
  // OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-), Anthropic (sk-ant-api03-, sk-ant-oat01-), OpenRouter (sk-or-v1-).
  // `*` is a key character here, so masked forms (`sk-proj-****…8D0A`) go too.
  /(?<![\w-])(sk-(?:ant-(?:[a-z]+\d\d-)?|proj-|svcacct-|admin-|or-v1-)?)[\w*-]{16,}/g,
  // GitHub (classic and fine-grained), Slack, GitLab, Stripe.
  /(?<![\w-])(gh[pousr]_|github_pat_|xox[abposr]-|glpat-|[rs]k_(?:live|test)_)[\w-]{16,}/g,
  // Google API keys and OAuth access tokens.
  /(?<![\w-])(AIza)[\w-]{30,}/g,
  /(?<![\w-])(ya29\.)[\w.-]{20,}/g,
  // AWS access key ids.
  /(?<![\w-])(AKIA|ASIA)[A-Z0-9]{16}(?![\w-])/g,
  // JWTs: three base64url segments, the header starting `eyJ` (`{"`).
  /(?<![\w-])(eyJ)[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g,
];

/** `Bearer <token>`: the token is decided in a callback (see bearerToken). */
const BEARER = /\b(bearer\s+)([\w.~+/=-]{8,})/gi;
/** `Basic <base64 of user:password>`. */
const BASIC = /\b(basic\s+)([A-Za-z0-9+/]{8,}={0,2})(?![\w+/=])/gi;
/** Secret-looking URL query parameters: `?key=…`, `&access_token=…`. */
const QUERY_SECRET = /([?&](?:key|api[-_]?key|access[-_]?token|refresh[-_]?token|id[-_]?token|token|auth|client[-_]?secret|secret|password|sig|signature)=)([^&\s#"'<>\\[]+)/gi;
/** The password of a URL's user info: `https://user:password@host`. */
const URL_PASSWORD = /((?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s/:@"\\]+:)([^\s/@"\\]+)(@)/gi;
/** `api_key: …`, `"client_secret": "…"`, `x-api-key=…` quoted in a message (or in JSON text, quotes escaped). */
const NAMED_SECRET = /\b((?:x-)?api[-_]?key|x-goog-api-key|access[-_]?token|refresh[-_]?token|client[-_]?secret|password|secret)((?:\\?["'])?\s*[:=]\s*(?:\\?["'])?)([^\s"'&,;\\[]{8,})/gi;

/** Characters of a token a masked form can be part of (for the request's own secret). */
const TOKEN = /[\w.*…•-]+/g;
const MASK = /\*\*|\.\.\.|…|••/;
const MASKS = ['**', '...', '…', '••'];

/** Public prefixes kept in front of the marker when the request's own secret is redacted. */
const PUBLIC_PREFIX = /^(?:sk-(?:ant-(?:[a-z]+\d\d-)?|proj-|svcacct-|admin-|or-v1-)?|gh[pousr]_|github_pat_|xox[abposr]-|glpat-|[rs]k_(?:live|test)_|AIza|ya29\.|AKIA|ASIA|eyJ)/;

/**
 * The text with secrets replaced by `[redacted]` (after their public prefix). `secret` is the
 * request's own credential, removed whole and in masked forms; key-shaped strings go anyway.
 */
export function redactSecrets(text: string, secret?: string): string {
  let out = text;
  if (secret !== undefined && secret.length >= MIN_OWN_SECRET_LENGTH) out = redactOwnSecret(out, secret);
  for (const pattern of KEY_PATTERNS) out = out.replace(pattern, keepPrefix);
  out = out.replace(BEARER, bearerToken);
  out = out.replace(BASIC, basicCredentials);
  out = out.replace(QUERY_SECRET, (match: string, name: string, _value: string, at: number, whole: string) =>
    redactedAfter(whole, at + match.length) ? match : `${name}${REDACTED}`,
  );
  out = out.replace(URL_PASSWORD, (_match, before: string, _password: string, at: string) => `${before}${REDACTED}${at}`);
  out = out.replace(NAMED_SECRET, (match: string, name: string, separator: string, _value: string, at: number, whole: string) =>
    redactedAfter(whole, at + match.length) ? match : `${name}${separator}${REDACTED}`,
  );
  return out;
}

/** A value already redacted by a key pattern (`sk-proj-[redacted]`) keeps its public prefix. */
function redactedAfter(text: string, at: number): boolean {
  return text.startsWith(REDACTED, at);
}

/** `redactSecrets` for an optional value. */
export function redactOptional<T extends string | null | undefined>(text: T, secret?: string): T {
  return (typeof text === 'string' ? redactSecrets(text, secret) : text) as T;
}

function keepPrefix(_match: string, prefix: string): string {
  return `${prefix}${REDACTED}`;
}

/**
 * A bearer token is long, or has a digit: "Invalid bearer token" and "Bearer authentication"
 * are words, not tokens.
 */
function bearerToken(match: string, scheme: string, token: string): string {
  return token.length >= 16 || /\d/.test(token) ? `${scheme}${REDACTED}` : match;
}

/** Basic credentials are base64 of `user:password`; "Basic authentication" is not. */
function basicCredentials(match: string, scheme: string, token: string): string {
  if (token.length % 4 !== 0) return match;
  return Buffer.from(token, 'base64').toString('latin1').includes(':') ? `${scheme}${REDACTED}` : match;
}

function redactOwnSecret(text: string, secret: string): string {
  const marker = `${PUBLIC_PREFIX.exec(secret)?.[0] ?? ''}${REDACTED}`;
  let out = text.includes(secret) ? text.split(secret).join(marker) : text;
  if (MASK.test(out)) out = out.replace(TOKEN, (token) => (isMaskedFormOf(token, secret) ? `${marker}${sentenceEnd(token)}` : token));
  return out;
}

/** The single period that ends a sentence after a token (`…wxyz.`), kept after the marker. */
function sentenceEnd(token: string): string {
  return token.endsWith('.') && !token.endsWith('..') ? '.' : '';
}

/**
 * True for a token that shows part of the secret around a mask: `sk-abc...wxyz`,
 * `sk-proj-****wxyz`, `…wxyz`, `sk-••••wxyz`, or a start cut off with `...`. The visible end must be the
 * secret's (four characters at least), or the visible start a long prefix of it.
 */
function isMaskedFormOf(token: string, secret: string): boolean {
  // A single period after the token ends a sentence; it is not a mask.
  const body = token.slice(0, token.length - sentenceEnd(token).length);
  let last = body.length;
  while (last > 0 && !isMaskChar(body.charCodeAt(last - 1))) last--;
  const tail = body.slice(last);
  // Most tokens are decided here, without looking for where the mask starts.
  if (tail.length > 0 && (tail.length < 4 || !secret.endsWith(tail))) return false;
  const first = firstMask(body);
  if (first < 0 || first >= last) return false;
  const head = body.slice(0, first);
  if (!secret.startsWith(head)) return false;
  if (tail.length > 0) return head.length + tail.length < secret.length;
  return head.length >= MIN_OWN_SECRET_LENGTH && head.length < secret.length;
}

function firstMask(token: string): number {
  let first = -1;
  for (const mask of MASKS) {
    const at = token.indexOf(mask);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

function isMaskChar(code: number): boolean {
  return code === 0x2a /* * */ || code === 0x2e /* . */ || code === 0x2026 /* … */ || code === 0x2022 /* • */;
}
