// The latest rate-limit state each upstream reported per account (Codex's x-codex-* headers and
// codex.rate_limits frames, Anthropic's ratelimit headers …), kept for the admin API and for
// routing that prefers accounts far from their limits. In memory; the multi-instance store
// replaces it later.
import { Injectable } from '@nestjs/common';

export interface RateLimitSnapshot {
  provider: string;
  accountId: string;
  /** Rate-limit response headers, lower-cased. */
  headers: Record<string, string>;
  /** The last rate-limit frame (WebSocket), as sent. */
  frame?: Record<string, unknown>;
  capturedAt: number;
}

@Injectable()
export class RateLimitSnapshots {
  private readonly latest = new Map<string, RateLimitSnapshot>();

  /** Records headers and/or a frame; an update without either changes nothing. */
  record(provider: string, accountId: string, update: { headers?: Record<string, string>; frame?: Record<string, unknown> }): void {
    const hasHeaders = update.headers !== undefined && Object.keys(update.headers).length > 0;
    if (!hasHeaders && !update.frame) return;
    const key = `${provider}\u0000${accountId}`;
    const previous = this.latest.get(key);
    this.latest.set(key, {
      provider,
      accountId,
      headers: hasHeaders ? update.headers! : (previous?.headers ?? {}),
      frame: update.frame ?? previous?.frame,
      capturedAt: Date.now(),
    });
  }

  get(provider: string, accountId: string): RateLimitSnapshot | undefined {
    return this.latest.get(`${provider}\u0000${accountId}`);
  }

  all(): RateLimitSnapshot[] {
    return [...this.latest.values()];
  }
}
