// A real HAProxy (Debian's `haproxy`, installed by .ci/run when missing) in front of gateway
// instances, for the multi-instance tests: round robin, health checks on /readyz, and retries of
// requests that reached no server (connection refused, or a connection closed before any answer),
// re-dispatched to another one — the configuration the README recommends.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';

export interface Backend {
  name: string;
  port: number;
}

/** The HAProxy configuration for `backends`, listening on `port`: what README "Running several instances" shows. */
export function haproxyConfig(port: number, backends: readonly Backend[], checkIntervalMs = 200): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 60s',
    '  timeout server 60s',
    // Requests that reached no instance are sent to another; never one an instance answered.
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response',
    'frontend gateway',
    `  bind 127.0.0.1:${port}`,
    '  default_backend byokey',
    'backend byokey',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    `  default-server inter ${checkIntervalMs}ms fall 1 rise 2`,
    ...backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check`),
    '',
  ].join('\n');
}

export class HAProxy {
  private child?: ChildProcess;
  output = '';

  constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly backends: readonly Backend[],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts HAProxy in the foreground and waits until every backend is up behind it. */
  async start(): Promise<void> {
    const file = join(this.dir, 'haproxy.cfg');
    writeFileSync(file, haproxyConfig(this.port, this.backends));
    const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.setEncoding('utf8').on('data', (text: string) => (this.output += text));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.output += text));
    await this.waitUntil(async () => (await this.get('/readyz')) === 200, 10_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    await exited;
  }

  /** A GET through the balancer: its status, or 0 when it could not connect. */
  async get(path: string): Promise<number> {
    try {
      const answer = await request(`${this.url}${path}`);
      await answer.body.dump();
      return answer.statusCode;
    } catch {
      return 0;
    }
  }

  private async waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`HAProxy did not come up within ${timeoutMs} ms\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
