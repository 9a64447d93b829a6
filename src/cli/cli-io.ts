// Where commands write, so tests can capture it, and the exit codes every command uses.
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
/** A mistake on the command line (an unknown option, a missing argument, an unknown provider). */
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C (SIGINT) before it finished: 128 + 2, as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** A mistake on the command line; reported with the usage of the command it was made on. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** That command's usage; the top-level command's when not given. */
    readonly usage?: string,
  ) {
    super(message);
  }
}
