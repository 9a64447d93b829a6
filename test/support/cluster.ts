// Several real `byokey serve` processes sharing the machine's PostgreSQL (one schema) and Redis
// (one key prefix), behind a real HAProxy: the deployment of README "Running several instances",
// started for one test file and torn down after it (schema dropped, keys deleted).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { request } from 'undici';
import { CliSandbox, freePort, startCli, type CliProcess } from './cli-process';
import { HAProxy } from './haproxy';
import { deleteRedisPrefix, dropSchema, POSTGRES_URL, REDIS_URL, uniqueName } from './shared-services';

export interface ClusterInstance {
  name: string;
  port: number;
  url: string;
  process: CliProcess;
}

export class GatewayCluster {
  readonly sandbox = new CliSandbox();
  readonly schema = uniqueName('cluster');
  readonly redisPrefix = `${uniqueName('cluster')}:`;
  readonly adminKey = `admin-${randomBytes(12).toString('hex')}`;
  /** One key for every instance: what one encrypts, the others decrypt. */
  readonly secretKey = randomBytes(32).toString('base64');
  readonly instances: ClusterInstance[] = [];
  balancer!: HAProxy;
  private configFile = '';
  /** Every process started, replacements included, so stop() leaves none behind. */
  private readonly processes: CliProcess[] = [];

  /** `providers` is the YAML of the `providers:` section, indented by two spaces. */
  constructor(
    private readonly providers: string,
    private readonly names: readonly string[] = ['a', 'b', 'c'],
    private readonly server: readonly string[] = ['drain_grace_ms: 1000', 'drain_ms: 15000'],
  ) {}

  get url(): string {
    return this.balancer.url;
  }

  instance(name: string): ClusterInstance {
    const found = this.instances.find((i) => i.name === name);
    if (!found) throw new Error(`no instance ${name}`);
    return found;
  }

  async start(): Promise<void> {
    this.configFile = this.sandbox.write(
      'providers.yaml',
      [
        'server:',
        ...this.server.map((line) => `  ${line}`),
        'store:',
        `  url: ${POSTGRES_URL}`,
        `  schema: ${this.schema}`,
        'redis:',
        `  url: ${REDIS_URL}`,
        `  key_prefix: "${this.redisPrefix}"`,
        'admin:',
        `  key: ${this.adminKey}`,
        'auth:',
        '  mode: keys',
        'providers:',
        this.providers,
      ].join('\n'),
    );
    // All at once, as a deployment rolls out: the migrations' advisory lock keeps them apart.
    await Promise.all(this.names.map(async (name) => this.instances.push(await this.startInstance(name, await freePort()))));
    this.instances.sort((x, y) => x.name.localeCompare(y.name));
    this.balancer = new HAProxy(this.sandbox.root, await freePort(), this.instances.map((i) => ({ name: i.name, port: i.port })));
    await this.balancer.start();
  }

  /** Starts one more `byokey serve` on the shared store (also to replace one that was stopped). */
  async startInstance(name: string, port: number): Promise<ClusterInstance> {
    const process = startCli(['serve', '--config', this.configFile, '--port', String(port)], this.sandbox, {
      home: join(this.sandbox.root, `home-${name}`),
      env: { BYOKEY_SECRET_KEY: this.secretKey, BYOKEY_LOG_LEVEL: 'info' },
    });
    this.processes.push(process);
    const { url } = await process.listening(20_000);
    return { name, port, url, process };
  }

  /** An admin call to one instance. */
  async admin<T = any>(instance: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const answer = await request(`${this.instance(instance).url}${path}`, {
      method: method as 'GET',
      headers: { authorization: `Bearer ${this.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.body.text();
    return { status: answer.statusCode, body: text ? JSON.parse(text) : undefined };
  }

  /** Makes a client key through one instance; returns its secret. */
  async createKey(instance: string, body: Record<string, unknown>): Promise<string> {
    const created = await this.admin<{ secret: string }>(instance, 'POST', '/admin/v1/keys', body);
    if (created.status !== 201) throw new Error(`creating a key answered ${created.status}: ${JSON.stringify(created.body)}`);
    return created.body.secret;
  }

  describe(): string {
    return this.instances.map((i) => `=== ${i.name} ===\n${i.process.describe()}`).join('\n') + `\n=== haproxy ===\n${this.balancer?.output ?? ''}`;
  }

  async stop(): Promise<void> {
    await this.balancer?.stop().catch(() => undefined);
    await Promise.all(this.processes.map((p) => p.kill()));
    await dropSchema(this.schema).catch(() => undefined);
    await deleteRedisPrefix(this.redisPrefix).catch(() => undefined);
    this.sandbox.remove();
  }
}
