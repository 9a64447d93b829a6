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
  private readonly open: Gauge<'provider_instance'>;
  private readonly opened: Counter<'provider_instance'>;
  private readonly reused: Counter<'provider_instance'>;
  private readonly fallbacks: Counter<'provider_instance' | 'reason'>;

  constructor(metrics: MetricsRegistry) {
    this.open = metrics.gauge({ name: 'byokey_codex_ws_open', help: 'Codex WebSockets open now (pooled and those of client WebSockets)', labelNames: ['provider_instance'] });
    this.opened = metrics.counter({ name: 'byokey_codex_ws_opened_total', help: 'Codex WebSockets opened', labelNames: ['provider_instance'] });
    this.reused = metrics.counter({ name: 'byokey_codex_ws_reused_total', help: 'Codex requests served on a WebSocket that was already open', labelNames: ['provider_instance'] });
    this.fallbacks = metrics.counter({
      name: 'byokey_codex_ws_http_fallbacks_total',
      help: 'Codex requests meant for a WebSocket that went over HTTP (reason: refused, failed, too_big, disabled)',
      labelNames: ['provider_instance', 'reason'],
    });
  }

  /** A socket just opened: counted, and open until it closes whichever way. */
  socketOpened(instance: string, socket: CodexSocket): void {
    this.opened.inc({ provider_instance: instance });
    this.open.inc({ provider_instance: instance });
    socket.onClosed(() => this.open.dec({ provider_instance: instance }));
  }

  socketReused(instance: string): void {
    this.reused.inc({ provider_instance: instance });
  }

  httpFallback(instance: string, reason: CodexHttpFallbackReason): void {
    this.fallbacks.inc({ provider_instance: instance, reason });
  }
}
