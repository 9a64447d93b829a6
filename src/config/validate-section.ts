// Runs class-validator over one part of providers.yaml and turns its error tree into
// ConfigIssues with dotted paths, friendly messages and "did you mean" for unknown keys.
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import type { ConfigIssue } from './config-error';
import { nearestKey } from './nearest-key';

/** Finds where a field sits in the source file (line/column), if it does. */
export type Locator = (path: (string | number)[]) => { line: number; column: number } | undefined;

export interface SectionResult<T> {
  value: T;
  issues: ConfigIssue[];
}

export function validateSection<T extends object>(
  cls: new () => T,
  raw: unknown,
  path: (string | number)[],
  locate: Locator,
): SectionResult<T> | { value: undefined; issues: ConfigIssue[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    // Say only what kind of value it is: a provider written as `openai: sk-...` holds a secret.
    return { value: undefined, issues: [issueAt(path, `must be a mapping, got ${kindOf(raw)}`, locate)] };
  }
  let value: T;
  let errors: ValidationError[];
  try {
    value = plainToInstance(cls, raw);
    errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  } catch (error) {
    // A transform or rule (a plugin's own, say) that throws on an odd value: still a problem
    // with this part of the file, not a crash.
    const message = (error as { message?: unknown } | null)?.message;
    const reason = typeof message === 'string' ? message : String(error);
    return { value: undefined, issues: [issueAt(path, `cannot be checked: ${reason}`, locate)] };
  }
  const issues: ConfigIssue[] = [];
  for (const error of errors) collectIssues(error, path, locate, issues);
  return { value, issues };
}

/** The keys a validated class accepts, for suggestions. */
export function knownKeys(cls: Function): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

function collectIssues(
  error: ValidationError,
  parent: (string | number)[],
  locate: Locator,
  out: ConfigIssue[],
): void {
  const path = [...parent, /^\d+$/.test(error.property) ? Number(error.property) : error.property];
  // Report the type check (isInt, isArray, …) before range, uniqueness or nested rules: on a
  // value of the wrong type it is the one that says what is wrong.
  const constraints = Object.entries(error.constraints ?? {}).sort(
    ([a], [b]) => Number(!a.startsWith('is')) - Number(!b.startsWith('is')),
  );
  for (const [constraint, message] of constraints) {
    if (constraint === 'whitelistValidation') {
      const suggestion = error.target ? nearestKey(error.property, knownKeys(error.target.constructor)) : undefined;
      const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
      out.push(issueAt(path, `unknown key${hint}`, locate));
      continue;
    }
    // class-validator's own messages start with the property name, which the path already says.
    const text = message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message;
    // A secret's value is never echoed; a proxy URL may carry a password.
    const secret = path.some((p) => typeof p === 'string' && /key|secret|token|password|proxy/i.test(p));
    const got = secret ? '' : ` (got ${describe(error.value)})`;
    out.push(issueAt(path, `${text}${got}`, locate));
    break; // one message per field: the first failing rule says enough
  }
  // Nested fields of a field that is itself wrong (a mapping where a list belongs) add noise.
  if (constraints.length > 0) return;
  for (const child of error.children ?? []) collectIssues(child, path, locate, out);
}

export function issueAt(path: (string | number)[], message: string, locate: Locator): ConfigIssue {
  const position = locate(path);
  return { path: formatPath(path), message, ...(position ?? {}) };
}

export function formatPath(path: (string | number)[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    '',
  );
}

function kindOf(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
