// Starts the real gateway for an e2e test: the given providers.yaml text, a private BYOKEY_HOME
// (or the one given), the app listening on a random port. Returns its URL and an OpenAI client
// pointed at it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import { loadGatewayConfig } from '../../src/config/config.loader';
import { closeGateway, createGateway } from '../../src/gateway';
import type { LogLevel } from '../../src/logging/logger-options';

export interface RunningGateway {
  app: NestFastifyApplication;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** BYOKEY_HOME of this gateway. */
  home: string;
  openai: OpenAI;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Environment for ${VAR} in the file. */
  env?: NodeJS.ProcessEnv;
  /** An existing BYOKEY_HOME (kept on close); default a new temporary one (removed on close). */
  home?: string;
  /** Default silent, or $BYOKEY_TEST_LOG_LEVEL. */
  logLevel?: LogLevel;
  logDestination?: NodeJS.WritableStream;
  /** The port to listen on (a restarted gateway at the same address); default any free one. */
  port?: number;
}

export async function startGateway(providersYaml: string, options: StartOptions = {}): Promise<RunningGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'byokey-e2e-'));
  const home = options.home ?? dir;
  const file = join(dir, 'providers.yaml');
  writeFileSync(file, providersYaml);
  const config = loadGatewayConfig({ file, env: { ...process.env, ...options.env } });
  const app = await createGateway(config, {
    logLevel: options.logLevel ?? (process.env.BYOKEY_TEST_LOG_LEVEL as LogLevel | undefined) ?? 'silent',
    home,
    logDestination: options.logDestination,
  });
  await app.listen(options.port ?? 0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  // maxRetries 0: the SDK would otherwise retry 429/5xx and hide what the gateway answered.
  const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  return {
    app,
    url,
    home,
    openai,
    async close() {
      await closeGateway(app, 1000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
