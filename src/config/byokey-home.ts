// BYOKEY_HOME: where byokey keeps its data (database, secret key). Default ~/.byokey, created
// on first use and readable by its owner only, since it will hold credentials.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function byokeyHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.BYOKEY_HOME ? resolve(env.BYOKEY_HOME) : join(homedir(), '.byokey');
}

export function ensureByokeyHome(env: NodeJS.ProcessEnv = process.env): string {
  const dir = byokeyHome(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
