// A credentials file that cannot be imported: missing, unreadable, or not the shape expected.
// The message names the file and what is missing; it never quotes a token.
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}
