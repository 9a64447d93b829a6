// Runs one real client CLI to completion, non-interactively and offline: a clean environment
// (nothing inherited but PATH and locale, so a developer's own keys and settings never leak in),
// a private HOME and XDG directories, every outbound connection except to 127.0.0.1 sent to a
// proxy that refuses at once (telemetry, update checks, model catalogs fail fast instead of
// hanging, and are noted), and a hard time limit after which the process group is killed.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboundTrap } from './outbound-trap';

export interface ClientRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
  /** Hosts the client tried to reach outside 127.0.0.1 (all refused). */
  outbound: string[];
}

/** A throwaway HOME (with XDG dirs) and working directory for one client run. */
export class ClientSandbox {
  readonly root = mkdtempSync(join(tmpdir(), 'byokey-client-'));
  readonly home = join(this.root, 'home');
  readonly cwd = join(this.root, 'work');

  constructor() {
    for (const dir of [this.home, this.cwd, join(this.home, '.config'), join(this.home, '.cache'), join(this.home, '.local', 'share'), join(this.home, '.local', 'state')]) {
      mkdirSync(dir, { recursive: true });
    }
  }

  /** HOME, XDG_* and TMPDIR inside the sandbox. */
  get env(): NodeJS.ProcessEnv {
    return {
      HOME: this.home,
      USERPROFILE: this.home,
      XDG_CONFIG_HOME: join(this.home, '.config'),
      XDG_CACHE_HOME: join(this.home, '.cache'),
      XDG_DATA_HOME: join(this.home, '.local', 'share'),
      XDG_STATE_HOME: join(this.home, '.local', 'state'),
    };
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export async function runClient(bin: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ClientRun> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const trap = new OutboundTrap();
  const proxy = await trap.start();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: process.env.LANG ?? 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    CI: '1',
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    ALL_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    all_proxy: proxy,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    ...options.env,
  };
  const started = Date.now();
  // Its own process group, so the kill reaches whatever the CLI spawned (shells, helpers).
  const child = spawn(bin, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('error', (error) => {
      stderr += `\nspawn failed: ${error.message}`;
      resolve([null, null]);
    });
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  clearTimeout(timer);
  // Helpers the CLI left behind (a language server, a shell) go with it.
  killGroup(child.pid);
  await trap.stop();
  return { code, signal, stdout, stderr, ms: Date.now() - started, timedOut, outbound: [...new Set(trap.attempts)] };
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A run's output for a failure message. */
export function describeRun(run: ClientRun): string {
  const tail = (text: string) => (text.length > 6000 ? `…${text.slice(-6000)}` : text);
  return `exit ${run.code} signal ${run.signal}${run.timedOut ? ' (timed out, killed)' : ''} after ${run.ms} ms; outbound refused: ${run.outbound.join(', ') || 'none'}\n--- stdout ---\n${tail(run.stdout)}\n--- stderr ---\n${tail(run.stderr)}`;
}
