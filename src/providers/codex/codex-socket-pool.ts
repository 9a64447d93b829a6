// Keeps Codex WebSockets open between requests, a few per account, one request at a time each.
// Sockets are retired before the backend's 60-minute limit, closed when idle for long, and
// pinged while idle so a dead one is found before a request needs it.
import type { CodexSocket } from './codex-socket';

/** The backend closes a connection at 60 minutes; stop handing one out well before. */
export const SOCKET_MAX_AGE_MS = 55 * 60_000;
/** An unused socket is closed after this long. */
export const SOCKET_IDLE_MS = 5 * 60_000;
const HEARTBEAT_MS = 30_000;
const PONG_TIMEOUT_MS = 10_000;

interface Waiting {
  resolve(socket: CodexSocket | undefined): void;
}

export class CodexSocketPool {
  private readonly sockets = new Map<string, Set<CodexSocket>>();
  private readonly waiting = new Map<string, Waiting[]>();
  /** Sockets being opened, counted against the size so concurrent acquires do not overshoot. */
  private readonly connecting = new Map<string, number>();
  private readonly heartbeat: NodeJS.Timeout;
  /** Sockets opened so far, by key (for tests and the admin API). */
  readonly opened = new Map<string, number>();

  constructor(private readonly sizePerKey: (key: string) => number) {
    this.heartbeat = setInterval(() => void this.sweep(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * An idle open socket for `key`, a new one while the key has fewer than its size, or the next
   * one released. `fresh` skips idle sockets (a retry after a broken one), retiring an idle
   * socket when that is the only way to make room. The socket is marked busy until `release`.
   */
  async acquire(key: string, connect: () => Promise<CodexSocket>, signal: AbortSignal, fresh = false): Promise<CodexSocket> {
    for (;;) {
      const set = this.sockets.get(key) ?? new Set<CodexSocket>();
      this.sockets.set(key, set);
      for (const socket of set) {
        if (!this.usable(socket)) this.retire(key, socket);
        else if (!socket.busy && !fresh) {
          socket.busy = true;
          return socket;
        }
      }
      if (fresh && set.size + this.pending(key) >= this.sizePerKey(key)) {
        const idle = [...set].find((socket) => !socket.busy);
        if (idle) this.retire(key, idle);
      }
      if (set.size + this.pending(key) < this.sizePerKey(key)) {
        this.connecting.set(key, this.pending(key) + 1);
        let socket: CodexSocket;
        try {
          socket = await connect();
        } finally {
          this.connecting.set(key, this.pending(key) - 1);
        }
        socket.busy = true;
        set.add(socket);
        this.opened.set(key, (this.opened.get(key) ?? 0) + 1);
        return socket;
      }
      // All busy: wait for a release (or a retirement, which makes room).
      const released = await new Promise<CodexSocket | undefined>((resolve, reject) => {
        const entry: Waiting = { resolve };
        const queue = this.waiting.get(key) ?? [];
        queue.push(entry);
        this.waiting.set(key, queue);
        signal.addEventListener(
          'abort',
          () => {
            this.waiting.set(key, (this.waiting.get(key) ?? []).filter((w) => w !== entry));
            reject(signal.reason);
          },
          { once: true },
        );
      });
      if (released && !fresh && this.usable(released) && !released.busy) {
        released.busy = true;
        return released;
      }
    }
  }

  private pending(key: string): number {
    return this.connecting.get(key) ?? 0;
  }

  /** Gives a socket back; `reusable` false (a failed or cancelled response) closes it. */
  release(key: string, socket: CodexSocket, reusable: boolean): void {
    socket.busy = false;
    if (!reusable || !this.usable(socket)) this.retire(key, socket);
    const next = this.waiting.get(key)?.shift();
    next?.resolve(reusable && this.usable(socket) ? socket : undefined);
  }

  closeAll(): void {
    clearInterval(this.heartbeat);
    for (const [key, set] of this.sockets) for (const socket of set) this.retire(key, socket);
  }

  private usable(socket: CodexSocket): boolean {
    return socket.open && Date.now() - socket.openedAt < SOCKET_MAX_AGE_MS;
  }

  private retire(key: string, socket: CodexSocket): void {
    this.sockets.get(key)?.delete(socket);
    socket.close();
  }

  /** Closes idle and aged sockets, and those that no longer answer a ping. */
  private async sweep(): Promise<void> {
    for (const [key, set] of this.sockets) {
      for (const socket of set) {
        if (socket.busy) continue;
        if (!this.usable(socket) || Date.now() - socket.lastUsedAt > SOCKET_IDLE_MS) {
          this.retire(key, socket);
          continue;
        }
        socket.ping();
        if (!(await socket.awaitPong(PONG_TIMEOUT_MS)) && !socket.busy) {
          this.sockets.get(key)?.delete(socket);
          socket.terminate();
        }
      }
    }
  }
}
