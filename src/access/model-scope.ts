// Whether a key's model scope covers a model. Globs as everywhere else (common/model-glob.ts);
// an empty scope covers every model. `instance/model` is covered when either the full name or
// the model after the instance is, so `gpt-5*` lets a client name `openai/gpt-5` too.
import { matchesAny } from '../common/model-glob';

export function scopeAllows(scope: readonly string[], model: string): boolean {
  if (scope.length === 0 || matchesAny(scope, model)) return true;
  const slash = model.indexOf('/');
  return slash > 0 && matchesAny(scope, model.slice(slash + 1));
}
