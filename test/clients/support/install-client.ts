// Installs the pinned real client CLIs (Claude Code, Codex CLI, opencode) into a cache directory
// outside the project — never into its dependencies or package-lock — so `npm run test:clients`
// can drive them. One directory per `<package>@<version>`; an install already there is reused.
// When the registry cannot be reached the result says so, and the specs skip loudly.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ClientPackage {
  /** Short name used in test titles and capture file names. */
  id: 'claude' | 'codex' | 'opencode';
  name: string;
  version: string;
  /** The executable the package puts in node_modules/.bin. */
  bin: string;
}

/** The pinned versions; bump them here (and re-read reference/clients.md) when a client moves. */
export const CLIENTS = {
  claude: { id: 'claude', name: '@anthropic-ai/claude-code', version: '2.1.332', bin: 'claude' },
  codex: { id: 'codex', name: '@openai/codex', version: '0.171.0', bin: 'codex' },
  opencode: { id: 'opencode', name: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
} as const satisfies Record<string, ClientPackage>;

export type InstallResult =
  | { ok: true; pkg: ClientPackage; dir: string; binPath: string; cached: boolean; installMs: number }
  | { ok: false; pkg: ClientPackage; reason: string };

/** `$BYOKEY_CLIENTS_CACHE`, else `~/.cache/byokey-test-clients`. */
export function clientsCacheDir(): string {
  return process.env.BYOKEY_CLIENTS_CACHE || join(homedir(), '.cache', 'byokey-test-clients');
}

/** The directory one pinned package is installed into. */
export function installDir(pkg: ClientPackage): string {
  return join(clientsCacheDir(), `${pkg.name.replace('/', '+')}@${pkg.version}`);
}

/**
 * Installs `pkg` unless it is already in the cache. Synchronous on purpose: a spec calls it at
 * module load, so it can choose `describe` or `describe.skip` before jest collects the tests.
 */
export function ensureClient(pkg: ClientPackage, timeoutMs = 10 * 60_000): InstallResult {
  const dir = installDir(pkg);
  const binPath = join(dir, 'node_modules', '.bin', pkg.bin);
  const marker = join(dir, 'installed.json');
  if (existsSync(marker) && existsSync(binPath) && installedVersion(dir, pkg) === pkg.version) {
    return { ok: true, pkg, dir, binPath, cached: true, installMs: 0 };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // A package.json of its own, so npm never walks up into a project that happens to hold the cache.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'byokey-test-client', private: true }));
  const started = Date.now();
  const run = spawnSync(
    'npm',
    [
      'install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel', 'error',
      // Offline, say so within seconds instead of npm's minute of retries.
      '--fetch-retries', '1', '--fetch-retry-mintimeout', '2000', '--fetch-retry-maxtimeout', '5000',
      `${pkg.name}@${pkg.version}`,
    ],
    { cwd: dir, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, npm_config_update_notifier: 'false' } },
  );
  const installMs = Date.now() - started;
  if (run.error || run.status !== 0 || !existsSync(binPath)) {
    const output = `${run.error?.message ?? ''}\n${run.stderr ?? ''}\n${run.stdout ?? ''}`.trim();
    rmSync(dir, { recursive: true, force: true });
    const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|ENETUNREACH|network|offline/i.test(output);
    const why = offline ? 'the npm registry cannot be reached' : `npm install failed (exit ${run.status ?? run.signal})`;
    return { ok: false, pkg, reason: `${why}: ${npmErrorSummary(output)}` };
  }
  writeFileSync(marker, JSON.stringify({ name: pkg.name, version: pkg.version, installMs, at: new Date().toISOString() }, null, 2));
  return { ok: true, pkg, dir, binPath, cached: false, installMs };
}

function installedVersion(dir: string, pkg: ClientPackage): string | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', pkg.name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** npm's `code` and message lines (not its advice), else its last lines. */
function npmErrorSummary(text: string): string {
  const lines = text.split('\n').map((line) => line.replace(/^npm error\s*/, '').trim()).filter(Boolean);
  const telling = lines.filter((line) => /^(code|errno|syscall)\b|request to|ENOTFOUND|EAI_AGAIN|ECONN|ETIMEDOUT|ENETUNREACH|404|403/i.test(line));
  return (telling.length > 0 ? telling : lines.slice(-3)).slice(0, 4).join(' | ');
}
