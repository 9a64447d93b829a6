// The store cannot be used: the database or the secret key cannot be opened, read or decrypted.
// Commands stop with this message; nothing on disk is changed.
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
