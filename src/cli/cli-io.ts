// Where commands write, so tests can capture it. Exit codes: 0 ok, 1 failure, 2 bad usage.
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake on the command line; reported with the command's usage. */
export class UsageError extends Error {}
