// The web console's files, as /console serves them: a fixed list (the browser app under web/ at
// the repository root, and preact and htm from node_modules as ES modules, so there is no build
// step), read once at start, gzipped once, each with a content ETag. A URL not in the list is
// simply not found: no path is ever joined from what a request says, so nothing outside these
// files can be reached.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Injectable } from '@nestjs/common';

export interface ConsoleAsset {
  /** The path under /console/ ('' for the page itself). */
  path: string;
  contentType: string;
  body: Buffer;
  gzipped: Buffer;
  etag: string;
  /** The page is revalidated every time; the scripts and styles too (their URLs carry no version), but a 304 costs no body. */
  cacheControl: string;
}

/** src/console/ in tests, dist/console/ when built: the repository root is two levels up either way. */
const ROOT = join(__dirname, '..', '..');
export const CONSOLE_WEB_DIR = join(ROOT, 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The console's own files, relative to web/. */
export const CONSOLE_FILES = [
  'index.html',
  'style.css',
  'app.js',
  'api.js',
  'format.js',
  'html.js',
  'components/bar-chart.js',
  'components/quota-bars.js',
  'components/countdown.js',
  'components/notice.js',
  'components/use-load.js',
  'pages/sign-in.js',
  'pages/accounts.js',
  'pages/login-panel.js',
  'pages/keys.js',
  'pages/usage.js',
  'pages/overview.js',
  'pages/providers.js',
] as const;

/** The libraries, served under /console/vendor/ (the import map in index.html names them). */
function vendorFiles(): Array<{ path: string; file: string }> {
  const preact = dirname(require.resolve('preact'));
  const hooks = dirname(require.resolve('preact/hooks'));
  const htm = dirname(require.resolve('htm'));
  return [
    { path: 'vendor/preact.mjs', file: join(preact, 'preact.mjs') },
    { path: 'vendor/hooks.mjs', file: join(hooks, 'hooks.mjs') },
    { path: 'vendor/htm.mjs', file: join(htm, 'htm.module.js') },
  ];
}

@Injectable()
export class ConsoleAssets {
  private readonly byPath: Map<string, ConsoleAsset>;

  constructor() {
    const files = [...CONSOLE_FILES.map((path) => ({ path, file: join(CONSOLE_WEB_DIR, path) })), ...vendorFiles()];
    this.byPath = new Map(files.map(({ path, file }) => [path, load(path, file)]));
    // The page itself at /console and /console/.
    this.byPath.set('', this.byPath.get('index.html')!);
  }

  find(path: string): ConsoleAsset | undefined {
    return this.byPath.get(path);
  }

  /** Every distinct file served, for its size in the README. */
  all(): ConsoleAsset[] {
    return [...new Set(this.byPath.values())];
  }
}

/**
 * The libraries as the browser gets them: preact's hooks import the bare name "preact", which a
 * browser resolves only through an import map (an inline script the page's CSP would have to
 * allow), so it is pointed at the file beside it; source map comments would send devtools after
 * files that are not served.
 */
function vendorText(path: string, text: string): string {
  let out = text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  if (path === 'vendor/hooks.mjs') {
    out = out.replace(/from\s*(["'])preact\1/g, 'from"./preact.mjs"');
    if (/from\s*["']preact["']/.test(out) || !out.includes('from"./preact.mjs"')) throw new Error('preact/hooks no longer imports "preact" as expected; update console-assets.ts');
  }
  return out;
}

function load(path: string, file: string): ConsoleAsset {
  let body = readFileSync(file);
  if (path.startsWith('vendor/')) body = Buffer.from(vendorText(path, body.toString('utf8')));
  const extension = /\.[a-z]+$/.exec(path)?.[0] ?? '';
  return {
    path,
    contentType: TYPES[extension] ?? 'application/octet-stream',
    body,
    gzipped: gzipSync(body, { level: 9 }),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    cacheControl: 'no-cache',
  };
}
