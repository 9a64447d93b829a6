// A Copilot account's premium-request quota (reference/wire-protocols.md §5:
// GET {github}/copilot_internal/user → quota_snapshots.premium_interactions.{percent_remaining,
// unlimited}), read at most every 5 minutes per account in the background of its requests and
// kept with the other accounts' rate-limit snapshots, as a `copilot.quota` frame: the admin API
// and `byokey status` show it, and routing tries accounts near the end of their quota last.
import { Injectable, Logger } from '@nestjs/common';
import { isObject } from '../../protocol/json-object';
import { RateLimitSnapshots } from '../../store/rate-limit-snapshots';
import { getJson } from '../../upstream/get-json';
import { UpstreamHttp } from '../../upstream/upstream-http.service';
import type { UpstreamTimeouts } from '../../upstream/upstream-timeouts';
import { CopilotClock } from './copilot-clock';
import { githubHeaders } from './copilot-headers';

/** How often an account's quota is read again (the original byokey's cache age, seed-spec §3.4). */
export const COPILOT_QUOTA_TTL_MS = 5 * 60_000;
/** The frame type the quota is kept under in a rate-limit snapshot (routing/quota.ts reads it). */
export const COPILOT_QUOTA_FRAME = 'copilot.quota';

export interface CopilotQuotaRequest {
  instance: string;
  githubApiUrl: string;
  accountId: string;
  githubToken: string;
  headers?: Record<string, string>;
  timeouts: UpstreamTimeouts;
}

@Injectable()
export class CopilotQuota {
  private readonly logger = new Logger('CopilotQuota');
  /** When each account's quota was last asked for (ms), asked or answered. */
  private readonly askedAt = new Map<string, number>();
  private readonly failing = new Set<string>();

  constructor(
    private readonly http: UpstreamHttp,
    private readonly clock: CopilotClock,
    private readonly snapshots: RateLimitSnapshots,
  ) {}

  /** Reads the account's quota if it is due, without making anyone wait; failures are logged once. */
  refreshSoon(request: CopilotQuotaRequest): void {
    const key = `${request.githubApiUrl}\u0000${request.accountId}`;
    const asked = this.askedAt.get(key);
    const now = this.clock.now();
    if (asked !== undefined && now - asked < COPILOT_QUOTA_TTL_MS) return;
    this.askedAt.set(key, now);
    void this.read(request).then(
      () => this.failing.delete(key),
      (error: unknown) => {
        if (this.failing.has(key)) return;
        this.failing.add(key);
        this.logger.warn(`${request.instance}: could not read the premium quota of copilot account "${request.accountId}": ${(error as Error).message}`);
      },
    );
  }

  /** Reads the quota now and records it. */
  async read(request: CopilotQuotaRequest): Promise<void> {
    const body = await getJson(this.http, {
      instance: request.instance,
      url: `${request.githubApiUrl}/copilot_internal/user`,
      headers: githubHeaders(request.githubToken, request.headers),
      signal: AbortSignal.timeout(Math.min(request.timeouts.firstByteMs, 10_000)),
      timeouts: request.timeouts,
    });
    const frame: Record<string, unknown> = { type: COPILOT_QUOTA_FRAME };
    if (isObject(body.quota_snapshots)) frame.quota_snapshots = body.quota_snapshots;
    for (const name of ['copilot_plan', 'quota_reset_date']) if (typeof body[name] === 'string') frame[name] = body[name];
    this.snapshots.record('copilot', request.accountId, { frame });
  }
}
