// `${VAR}` and `${VAR:-default}` in providers.yaml values, resolved from the environment.
// Substitution runs on parsed string values, not on the file's text, so a secret containing
// quotes, colons or `#` can never change the YAML's structure. `$${` writes a literal `${`.

/** What went wrong substituting one string; the caller adds the field path. */
export class SubstitutionError extends Error {}

const PATTERN = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function substituteEnv(value: string, env: NodeJS.ProcessEnv): string {
  if (value.indexOf('${') === -1) return value;
  // A `${` left open is a typo, not a literal (that is written `$${`).
  const open = value.replace(/\$\$\{/g, '').replace(/\$\{[^}]*\}/g, '').indexOf('${');
  if (open !== -1) throw new SubstitutionError('"${" is not closed with "}" (write $${ for a literal "${")');
  return value.replace(PATTERN, (match: string, expression: string | undefined) => {
    if (match === '$${') return '${';
    const text = expression ?? '';
    const separator = text.indexOf(':-');
    const name = separator === -1 ? text : text.slice(0, separator);
    if (!NAME.test(name)) {
      throw new SubstitutionError(`"\${${text}}" is not a valid variable reference (expected \${NAME} or \${NAME:-default})`);
    }
    const current = env[name];
    if (separator !== -1) {
      // Like the shell: the default applies when the variable is unset or empty.
      return current === undefined || current === '' ? text.slice(separator + 2) : current;
    }
    if (current === undefined) {
      throw new SubstitutionError(`environment variable ${name} is not set (write \${${name}:-default} to give a default)`);
    }
    return current;
  });
}

/**
 * Applies substituteEnv to every string in a parsed YAML tree, in place of copying it.
 * Reports each failing string with its path; returns the substituted tree.
 */
export function substituteEnvDeep(
  node: unknown,
  env: NodeJS.ProcessEnv,
  onError: (path: (string | number)[], message: string) => void,
  path: (string | number)[] = [],
): unknown {
  if (typeof node === 'string') {
    try {
      return substituteEnv(node, env);
    } catch (error) {
      if (!(error instanceof SubstitutionError)) throw error;
      onError(path, error.message);
      return node;
    }
  }
  if (Array.isArray(node)) return node.map((item, i) => substituteEnvDeep(item, env, onError, [...path, i]));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = substituteEnvDeep(value, env, onError, [...path, key]);
    return out;
  }
  return node;
}
