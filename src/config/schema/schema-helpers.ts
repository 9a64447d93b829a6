// What the providers.yaml schema classes share: coercions for values written as `${ENV}`
// strings, and validators for URLs and header maps (also used by plugin settings and admin DTOs).
import { plainToInstance } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isObject } from '../../protocol/json-object';

/** Numbers written as `${PORT}` arrive as strings; accept them where a number is expected. */
export function toNumber({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
}

export function toBoolean({ value }: { value: unknown }): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/**
 * A property decorator from a test and its message (the caller's options may replace it): the
 * shape every custom rule of the schema shares.
 */
export function customRule(name: string, message: ValidationOptions['message'], validate: (value: unknown) => boolean, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({ name, target: target.constructor, propertyName, options: { message, ...options }, validator: { validate } });
}

/** An absolute URL with one of the given schemes (`['http:', 'https:']`). */
export function IsUrlWithScheme(schemes: readonly string[], options?: ValidationOptions) {
  const names = schemes.map((scheme) => `${scheme}//`).join(' or ');
  return customRule('isUrlWithScheme', `must be an absolute ${names} URL`, (value) => typeof value === 'string' && URL.canParse(value) && schemes.includes(new URL(value).protocol), options);
}

/** An absolute http(s) URL. */
export function IsHttpUrl(options?: ValidationOptions) {
  return IsUrlWithScheme(['http:', 'https:'], options);
}

/** A map of header names to string values. */
export function IsHeaderMap(options?: ValidationOptions) {
  return customRule(
    'isHeaderMap',
    'must map header names to string values, e.g. {X-Team: research}',
    (value) => isObject(value) && Object.entries(value).every(([name, v]) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && typeof v === 'string'),
    options,
  );
}

/** A YAML mapping as a nested DTO, so ValidateNested checks it; anything else is left for IsObject to refuse. */
export function toDto<T extends object>(cls: new () => T) {
  return ({ value }: { value: unknown }): unknown => (isObject(value) ? plainToInstance(cls, value) : value);
}

/**
 * `proxy_url`: an http:// or https:// proxy (user info allowed, for Proxy-Authorization), a
 * socks5:// or socks5h:// proxy (user info for its username/password login), or `none` for a
 * direct connection. SOCKS4 is refused by name: it has no password and no IPv6, and nobody asked.
 */
export function IsProxyUrl(options?: ValidationOptions) {
  return customRule('isProxyUrl', (args) => proxyUrlProblem(args.value) ?? '', (value) => proxyUrlProblem(value) === undefined, options);
}

/**
 * What is wrong with a proxy setting, or undefined when it is fine: the rule of `proxy_url` in
 * providers.yaml, shared with `byokey accounts set-proxy` and the admin API. Never echoes the
 * value (it may hold a password).
 */
export function proxyUrlProblem(value: unknown): string | undefined {
  if (value === 'none' || (typeof value === 'string' && URL.canParse(value) && isProxyOrigin(new URL(value)))) return undefined;
  return typeof value === 'string' && /^socks(4a?)?:/i.test(value.trim())
    ? 'names a SOCKS4 proxy (or SOCKS without a version); write socks5://host:1080, or socks5h://host:1080 to let the proxy resolve names'
    : 'must be a proxy URL such as http://proxy.example.com:3128 or socks5://proxy.example.com:1080 (credentials as http://user:password@host:3128), or "none" for a direct connection';
}

const PROXY_PROTOCOLS = ['http:', 'https:', 'socks5:', 'socks5h:'];

/** A proxy URL names a host (and maybe a port), nothing else that the agents would silently drop. */
function isProxyOrigin(url: URL): boolean {
  return PROXY_PROTOCOLS.includes(url.protocol) && url.hostname !== '' && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
}

/** `proxy_url: ""` (an unset `${PROXY:-}`) means "not set": the outer setting applies. */
export function emptyToUndefined({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value;
}
