// Validates admin request bodies against their class-validator DTO and answers a refused body in
// words a person can act on: which field, what is wrong with it; unknown fields are refused too,
// so a misspelt one is not silently ignored. Only bodies: path and query parameters pass through.
import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { GatewayError } from '../common/gateway-error';

@Injectable()
export class AdminBodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const dto = metadata.metatype;
    if (metadata.type !== 'body' || !dto || dto === Object) return value;
    // A POST without a body means "all defaults" for DTOs whose fields are all optional.
    const body = value === undefined || value === null ? {} : value;
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw new GatewayError(400, 'The request body must be a JSON object.', { type: 'invalid_request_error', code: 'invalid_body' });
    }
    const instance = plainToInstance(dto as new () => object, body) as object;
    const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      const problems = flatten(errors);
      throw new GatewayError(400, `The request body is not valid: ${problems.map((p) => p.text).join('; ')}.`, {
        type: 'invalid_request_error',
        code: 'invalid_body',
        param: problems[0].field,
      });
    }
    return instance;
  }
}

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; text: string }> {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, text: message.startsWith(error.property) ? message : `${field}: ${message}` }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
