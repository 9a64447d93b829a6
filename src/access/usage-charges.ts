// Charges each finished request's tokens (input + output, as the upstream counted them) to its
// client key's tokens-per-minute and budget counters, from the usage records on the UsageBus.
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { UsageBus } from '../usage/usage-bus';
import type { UsageRecord } from '../store/usage-record';
import { KeyLimits } from './key-limits';

@Injectable()
export class UsageCharges implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UsageCharges.name);
  private unsubscribe?: () => void;

  constructor(
    private readonly bus: UsageBus,
    private readonly limits: KeyLimits,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe((record) => this.charge(record));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private charge(record: UsageRecord): void {
    if (record.keyId === undefined) return;
    this.limits.charge(record.keyId, record.tokens.input + record.tokens.output).catch((error: unknown) => {
      this.logger.warn({ reqId: record.requestId, err: error }, 'could not charge tokens to the client key');
    });
  }
}
