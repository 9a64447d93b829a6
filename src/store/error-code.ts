// The `code` of a Node system error (ENOENT, EACCES …), for messages and for telling "absent"
// apart from "unreadable". Duck-typed rather than `instanceof Error`: errors thrown by Node's
// own modules come from another realm under Jest's VM sandbox, and instanceof fails there.
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Short enough for a StoreError: a file-system error's code (its message repeats the path), a
 * SQLite error's code and message ("SQLITE_NOTADB: file is not a database"), else the message.
 */
export function describeError(error: unknown): string {
  const code = errorCode(error);
  const message =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message
      : String(error);
  if (code === undefined) return message;
  return code.startsWith('SQLITE_') ? `${code}: ${message}` : code;
}
