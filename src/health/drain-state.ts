// Whether this instance is draining: SIGTERM was received and it is on its way out. Readiness
// (/readyz) says so at once, so the load balancer stops sending new requests while the ones in
// flight finish.
import { Injectable } from '@nestjs/common';

@Injectable()
export class DrainState {
  private since?: number;

  get draining(): boolean {
    return this.since !== undefined;
  }

  /** When draining began (ms since epoch), if it has. */
  get startedAt(): number | undefined {
    return this.since;
  }

  /** Starts draining; a second call changes nothing. */
  begin(now: number = Date.now()): void {
    this.since ??= now;
  }
}
