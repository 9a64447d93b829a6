// What every *.clients-spec.ts shares: install the pinned client at load time and either run its
// cases or skip them loudly when it cannot be installed (no network); save redacted captures of
// what the client sent byokey; and note how long installs and runs took, printed at the end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CapturedExchange } from './capture-proxy';
import { ensureClient, type ClientPackage } from './install-client';
import type { ClientRun } from './run-client';

export const CAPTURE_DIR = resolve(__dirname, '..', '..', 'fixtures', 'clients', 'captured');

const timings: string[] = [];

/**
 * Installs `pkg` (or finds it in the cache) and declares `title` with `body(binPath)`. When the
 * install fails the cases are still listed, as skipped, under a title that says why, and a
 * warning is printed: never a silent pass.
 */
export function describeClient(pkg: ClientPackage, title: string, body: (bin: string) => void): void {
  const install = ensureClient(pkg);
  if (!install.ok) {
    const why = `SKIPPED: ${pkg.name}@${pkg.version} could not be installed (${install.reason})`;
    console.warn(`test:clients ${why}`);
    describe(`${title} — ${why}`, () => {
      test.skip(`needs ${pkg.name}@${pkg.version}`, () => undefined);
    });
    return;
  }
  timings.push(`${pkg.name}@${pkg.version}: ${install.cached ? `cached in ${install.dir}` : `installed in ${(install.installMs / 1000).toFixed(1)} s into ${install.dir}`}`);
  describe(title, () => {
    afterAll(() => {
      console.log(`test:clients timings\n  ${timings.join('\n  ')}`);
      timings.length = 0;
    });
    body(install.binPath);
  });
}

/** Records how long one CLI run took, for the summary. */
export function noteRun(label: string, run: ClientRun): void {
  const outbound = run.outbound.length > 0 ? `; refused outbound: ${run.outbound.join(', ')}` : '';
  timings.push(`${label}: ${(run.ms / 1000).toFixed(1)} s (exit ${run.code}${run.timedOut ? ', timed out' : ''}${outbound})`);
}

/**
 * Writes `captured-<name>.json` under test/fixtures/clients/captured/ when
 * BYOKEY_CLIENTS_CAPTURE=1 (so a normal run leaves the tree clean). Secrets, sandbox paths and
 * ports are replaced by placeholders.
 */
export function saveCapture(name: string, client: string, exchanges: CapturedExchange[]): void {
  if (process.env.BYOKEY_CLIENTS_CAPTURE !== '1') return;
  mkdirSync(CAPTURE_DIR, { recursive: true });
  const sample = { client, capturedAt: new Date().toISOString().slice(0, 10), note: 'Recorded by test/clients (npm run test:clients with BYOKEY_CLIENTS_CAPTURE=1): what the real client sent byokey, redacted.', exchanges: exchanges.map(redact) };
  writeFileSync(join(CAPTURE_DIR, `captured-${name}.json`), `${scrub(JSON.stringify(sample, null, 2))}\n`);
}

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'cookie', 'proxy-authorization', 'chatgpt-account-id']);

function redact(exchange: CapturedExchange): CapturedExchange {
  const headers: CapturedExchange['headers'] = {};
  for (const [name, value] of Object.entries(exchange.headers)) headers[name] = SECRET_HEADERS.has(name) ? '<redacted>' : value;
  return { ...exchange, headers };
}

/** Sandbox paths and random ports vary per run and say nothing about the client. */
function scrub(text: string): string {
  const tmp = tmpdir().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text
    .replace(new RegExp(`${tmp}/byokey-client-[A-Za-z0-9]+`, 'g'), '<sandbox>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>');
}
