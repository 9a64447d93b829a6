// Checks an admin request body against its class-validator DTO and answers a 400 a person can
// act on: every problem, by field, and unknown fields named (a typo must not pass silently).
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { GatewayError } from '../common/gateway-error';

export function validateBody<T extends object>(cls: new () => T, body: unknown): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError(400, 'The request body must be a JSON object.', { type: 'invalid_request_error', code: 'invalid_body' });
  }
  const value = plainToInstance(cls, body);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length === 0) return value;
  const problems: string[] = [];
  for (const error of errors) collect(error, '', problems);
  throw new GatewayError(400, `The request body is not valid: ${problems.join('; ')}.`, {
    type: 'invalid_request_error',
    code: 'invalid_body',
    param: errors[0].property,
  });
}

function collect(error: ValidationError, parent: string, out: string[]): void {
  const path = parent ? `${parent}.${error.property}` : error.property;
  for (const message of Object.values(error.constraints ?? {})) {
    out.push(message.includes('should not exist') ? `${path} is not a known field` : `${path} ${message}`);
  }
  for (const child of error.children ?? []) collect(child, path, out);
}
