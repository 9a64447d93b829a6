// Reads a JSON credentials file for an importer, with messages that say what to do.
import { readFileSync } from 'node:fs';
import { isObject } from '../../protocol/json-object';
import { ImportError } from './import-error';

export function readJsonFile(file: string, what: string, hint: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImportError(`no ${what} found at ${file} (${hint})`);
    throw new ImportError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ImportError(`${file} is not valid JSON, so it is not a ${what}`);
  }
  if (!isObject(json)) throw new ImportError(`${file} is not a ${what}: expected a JSON object`);
  return json;
}
