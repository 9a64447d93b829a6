// Builds the gateway (tsc -p tsconfig.build.json into dist/) and stamps the build when it
// succeeds. With --if-stale (npm start's prestart) it builds only when there is no stamped build
// yet or a source or tsconfig is newer than it, so `npm start` starts in about a second when
// nothing changed and still works on a fresh clone. Plain JavaScript: it runs before any build.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');
const inputs = [join(root, 'src'), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'), join(root, 'package.json')];

/** The newest modification time (ms) of a file, or of any file under a directory. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted or renamed file changes its directory's time
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function isStale() {
  if (!existsSync(stamp) || !existsSync(join(root, 'dist', 'main.js'))) return true;
  const built = statSync(stamp).mtimeMs;
  return inputs.some((input) => existsSync(input) && newest(input) > built);
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

const tsc = require.resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stamp, `${new Date().toISOString()}\n`);
