// A providers.yaml that cannot be used: every problem found, each with where it is (file,
// line, field path), what was expected, and — for a misspelt key — the nearest valid one.

export interface ConfigIssue {
  /** Dotted field path, e.g. `providers.local.base_url`; empty for the file as a whole. */
  path: string;
  message: string;
  /** 1-based position in the file, when the field exists there. */
  line?: number;
  column?: number;
}

export class ConfigError extends Error {
  constructor(
    /** The file the issues are in, or a label such as `built-in defaults`. */
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super(formatConfigIssues(source, issues));
    this.name = 'ConfigError';
  }
}

function formatConfigIssues(source: string, issues: ConfigIssue[]): string {
  const lines = issues.map((issue) => {
    const where = issue.line !== undefined ? `${source}:${issue.line}:${issue.column ?? 1}` : source;
    return issue.path ? `  ${where}: ${issue.path}: ${issue.message}` : `  ${where}: ${issue.message}`;
  });
  const count = issues.length === 1 ? 'a problem' : `${issues.length} problems`;
  return `invalid configuration: ${source} has ${count}:\n${lines.join('\n')}`;
}
