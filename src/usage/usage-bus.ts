// Where finished requests' usage records are announced, once each: the usage writer stores them,
// per-key limits charge their tokens. Synchronous and in-process: a listener that has work to do
// queues it (never a write per request on the hot path).
import { Injectable, Logger } from '@nestjs/common';
import type { UsageRecord } from '../store/usage-record';

export type UsageListener = (record: UsageRecord) => void;

@Injectable()
export class UsageBus {
  private readonly logger = new Logger(UsageBus.name);
  private readonly listeners: UsageListener[] = [];

  subscribe(listener: UsageListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  publish(record: UsageRecord): void {
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (error) {
        // One listener's bug must not cost the others their record, nor the request anything.
        this.logger.error({ err: error, reqId: record.requestId }, 'a usage listener failed');
      }
    }
  }
}
