// The small HTTP server on 127.0.0.1 (and ::1 when it can) that receives the browser's
// redirect at the end of an authorization-code login. It answers the browser with a short page
// and hands the first callback that belongs to the login (code, state, or the provider's error)
// to the flow; one that does not is answered with an error page and the wait goes on.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuthError } from './oauth-error';

export interface CallbackParams {
  code?: string;
  state?: string;
  /** The provider's refusal, e.g. `access_denied`. */
  error?: string;
  errorDescription?: string;
}

export interface LoopbackCallbackOptions {
  /** Provider id and display name, for messages. */
  provider: string;
  displayName: string;
  /** The definition's callback port; 0 picks a free one (tests, Google's flow). */
  port: number;
  /** Only this path is the callback, e.g. `/auth/callback`. */
  path: string;
  /**
   * Judges a callback before it is handed over: undefined to take it, or why it does not belong
   * to this login (e.g. a state mismatch: an old tab, or a forged redirect). Such a callback is
   * answered with an error page and left out, and the server keeps waiting for the right one,
   * so a stray request cannot end the login.
   */
  check?(params: CallbackParams): string | undefined;
  /** Told about each callback check() left out, with its reason (the flow says so to the user). */
  onIgnored?(params: CallbackParams, reason: string): void;
}

export interface LoopbackCallbackServer {
  /** The port actually listened on (differs from the option when it was 0). */
  readonly port: number;
  /** Resolves with the first callback that carries a code or an error; never rejects. */
  readonly callback: Promise<CallbackParams>;
  /** Stops listening and drops open connections (browsers keep them alive). */
  close(): Promise<void>;
}

const IPV4_LOOPBACK = '127.0.0.1';
const IPV6_LOOPBACK = '::1';

export async function startLoopbackCallbackServer(options: LoopbackCallbackOptions): Promise<LoopbackCallbackServer> {
  let settled = false;
  let resolveCallback!: (params: CallbackParams) => void;
  const callback = new Promise<CallbackParams>((resolve) => (resolveCallback = resolve));

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    if (url.pathname !== options.path) {
      sendPage(res, 404, 'Not found', 'This address only receives the byokey login callback.');
      return;
    }
    const params = callbackParamsFromQuery(url.searchParams);
    if (params.code === undefined && params.error === undefined) {
      sendPage(res, 400, 'No login answer', 'This request carried neither a code nor an error. Return to the terminal.');
      return;
    }
    if (settled) {
      sendPage(res, 200, 'Already handled', 'This login has already been handled. You can close this tab.');
      return;
    }
    const foreign = options.check?.(params);
    if (foreign !== undefined) {
      sendPage(res, 400, 'Not this login', `${foreign} The login in the terminal is still waiting; finish it in the tab it opened.`);
      options.onIgnored?.(params, foreign);
      return;
    }
    settled = true;
    const failure = params.error !== undefined ? describeProviderError(params) : undefined;
    // Handing over after the page is flushed, so closing the server cannot cut it off.
    res.once('finish', () => resolveCallback(params));
    res.once('close', () => resolveCallback(params));
    if (failure) sendPage(res, 400, `${options.displayName} login failed`, `${failure} Return to the terminal for details.`);
    else sendPage(res, 200, 'Login complete', `You are logged in to ${options.displayName}. You can close this tab and return to the terminal.`);
  };

  const ipv4 = createServer(handle);
  try {
    await listen(ipv4, options.port, IPV4_LOOPBACK);
  } catch (error) {
    throw listenError(options, error);
  }
  const port = (ipv4.address() as AddressInfo).port;
  // `localhost` in the redirect URI may resolve to ::1 first; without IPv6 we do without.
  const ipv6: Server | undefined = await listen(createServer(handle), port, IPV6_LOOPBACK).catch(() => undefined);

  return {
    port,
    callback,
    close: async () => {
      await Promise.all([closeServer(ipv4), ipv6 ? closeServer(ipv6) : Promise.resolve()]);
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.close();
      reject(error);
    };
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function listenError(options: LoopbackCallbackOptions, error: unknown): OAuthError {
  const code = (error as { code?: unknown }).code;
  const reason =
    code === 'EADDRINUSE'
      ? `port ${options.port} is already in use (another login still running, or another program)`
      : `cannot listen on 127.0.0.1 port ${options.port} (${error instanceof Error ? error.message : String(error)})`;
  return new OAuthError({
    provider: options.provider,
    code: 'callback_port_in_use',
    message:
      `${options.displayName}: the login callback server could not start: ${reason}. ` +
      `Free the port, or set \`oauth.callback_port\` for ${options.provider} in providers.yaml ` +
      '(the provider must accept the resulting redirect URI).',
    cause: error,
  });
}

/** The OAuth fields of a redirect's query string (also used for pasted redirect URLs). */
export function callbackParamsFromQuery(query: URLSearchParams): CallbackParams {
  const value = (name: string): string | undefined => query.get(name) ?? undefined;
  return {
    code: value('code'),
    state: value('state'),
    error: value('error'),
    errorDescription: value('error_description'),
  };
}

function describeProviderError(params: CallbackParams): string {
  return `The provider refused the login: ${params.error}${params.errorDescription ? ` (${params.errorDescription})` : ''}.`;
}

function sendPage(res: ServerResponse, status: number, title: string, text: string): void {
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>byokey</title>' +
    '<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}</style>' +
    `</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
