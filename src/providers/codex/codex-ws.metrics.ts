// The Codex WebSocket pool as Prometheus metrics, by instance: sockets open now, sockets opened,
// requests served on a socket that was already open, and requests that went over HTTP instead —
// so an operator sees whether the pool saves handshakes and whether WebSockets work at all.
import { Injectable } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../../metrics/metrics-registry';
import type { CodexSocket } from './codex-socket';

/**
 * Why a request meant for a WebSocket went over HTTP: the upgrade was refused (426), the socket
 * could not be opened or broke before the first event, the request was too big for a frame
 * (1009), or the instance was switched to HTTP for a while after such failures.
 */
export type CodexHttpFallbackReason = 'refused' | 'failed' | 'too_big' | 'disabled';

@Injectable()
export class CodexWsMetrics {
  private readonly open: Gauge<'instance'>;
  private readonly opened: Counter<'instance'>;
  private readonly reused: Counter<'instance'>;
  private readonly fallbacks: Counter<'instance' | 'reason'>;

  constructor(metrics: MetricsRegistry) {
    this.open = metrics.gauge({ name: 'byokey_codex_ws_open', help: 'Codex WebSockets open now (pooled and those of client WebSockets)', labelNames: ['instance'] });
    this.opened = metrics.counter({ name: 'byokey_codex_ws_opened_total', help: 'Codex WebSockets opened', labelNames: ['instance'] });
    this.reused = metrics.counter({ name: 'byokey_codex_ws_reused_total', help: 'Codex requests served on a WebSocket that was already open', labelNames: ['instance'] });
    this.fallbacks = metrics.counter({
      name: 'byokey_codex_ws_http_fallbacks_total',
      help: 'Codex requests meant for a WebSocket that went over HTTP (reason: refused, failed, too_big, disabled)',
      labelNames: ['instance', 'reason'],
    });
  }

  /** A socket just opened: counted, and open until it closes whichever way. */
  socketOpened(instance: string, socket: CodexSocket): void {
    this.opened.inc({ instance });
    this.open.inc({ instance });
    socket.onClosed(() => this.open.dec({ instance }));
  }

  socketReused(instance: string): void {
    this.reused.inc({ instance });
  }

  httpFallback(instance: string, reason: CodexHttpFallbackReason): void {
    this.fallbacks.inc({ instance, reason });
  }
}
