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

/** An absolute URL with one of the given schemes (`['http:', 'https:']`). */
export function IsUrlWithScheme(schemes: readonly string[], options?: ValidationOptions) {
  const names = schemes.map((scheme) => `${scheme}//`).join(' or ');
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isUrlWithScheme',
      target: target.constructor,
      propertyName,
      options: { message: `must be an absolute ${names} URL`, ...options },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          try {
            return schemes.includes(new URL(value).protocol);
          } catch {
            return false;
          }
        },
      },
    });
}

/** An absolute http(s) URL. */
export function IsHttpUrl(options?: ValidationOptions) {
  return IsUrlWithScheme(['http:', 'https:'], options);
}

/** A map of header names to string values. */
export function IsHeaderMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isHeaderMap',
      target: target.constructor,
      propertyName,
      options: { message: 'must map header names to string values, e.g. {X-Team: research}', ...options },
      validator: {
        validate(value: unknown) {
          if (!isObject(value)) return false;
          return Object.entries(value).every(
            ([name, v]) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && typeof v === 'string',
          );
        },
      },
    });
}

/** A YAML mapping as a nested DTO, so ValidateNested checks it; anything else is left for IsObject to refuse. */
export function toDto<T extends object>(cls: new () => T) {
  return ({ value }: { value: unknown }): unknown => (isObject(value) ? plainToInstance(cls, value) : value);
}
