// byokey's version, from package.json (src/ and dist/ both sit one level below it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function byokeyVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
