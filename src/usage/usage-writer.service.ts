// Stores the usage records announced on the UsageBus, off the hot path: a request's record only
// joins a queue; the queue goes to the store in one batch (one transaction) every second, or as
// soon as it holds a batch's worth, and once more at shutdown after the last request closed.
// The queue is bounded: while the store fails, records wait (up to the bound) and are retried;
// beyond it new ones are dropped and counted, with a warning — a request never waits for the
// store and never fails because of it.
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { UsageStore } from '../store/usage-store';
import { UsageBus } from './usage-bus';
import type { UsageRecord } from '../store/usage-record';

export interface UsageWriterOptions {
  /** How often the queue is written (ms). */
  flushIntervalMs: number;
  /** A queue this long is written at once, and no batch is longer. */
  batchSize: number;
  /** Records held at most while the store cannot take them; more are dropped. */
  maxQueued: number;
}

export const USAGE_WRITER_OPTIONS = Symbol('USAGE_WRITER_OPTIONS');

/**
 * A commit costs a sync of the database file (the shared connection is synchronous=FULL, for the
 * accounts' sake): about one a second keeps that cost per record small even at thousands of
 * requests a second, while a batch stays short enough (a few ms) not to stall requests.
 */
export const DEFAULT_USAGE_WRITER_OPTIONS: UsageWriterOptions = { flushIntervalMs: 1_000, batchSize: 2_000, maxQueued: 50_000 };

@Injectable()
export class UsageWriter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageWriter.name);
  private readonly options: UsageWriterOptions;
  private queue: UsageRecord[] = [];
  private flushing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private soonScheduled = false;
  /** True from a failed write until a write succeeds: one warning per outage. */
  private storeFailing = false;
  /** Records dropped since the gateway started (the queue was full). */
  dropped = 0;
  private droppedWarned = 0;

  constructor(
    private readonly bus: UsageBus,
    private readonly store: UsageStore,
    @Optional() @Inject(USAGE_WRITER_OPTIONS) options?: Partial<UsageWriterOptions>,
  ) {
    this.options = { ...DEFAULT_USAGE_WRITER_OPTIONS, ...options };
  }

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe((record) => this.enqueue(record));
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Runs after the HTTP server closed (every request's record is queued by then), before the store closes. */
  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.timer);
    // Until the queue is empty, or the store refuses (then what is left is reported lost).
    while (this.queue.length > 0 || this.flushing) {
      const before = this.queue.length;
      await this.flush();
      if (this.storeFailing && this.queue.length >= before) break;
    }
    if (this.queue.length > 0) {
      this.logger.warn(`${this.queue.length} usage records could not be stored before shutdown and are lost`);
    }
  }

  /** How many records wait to be written. */
  get queued(): number {
    return this.queue.length;
  }

  enqueue(record: UsageRecord): void {
    if (this.queue.length >= this.options.maxQueued) {
      this.drop(1);
      return;
    }
    this.queue.push(record);
    if (this.queue.length >= this.options.batchSize && !this.soonScheduled) {
      // Not in the request's own close handler: on the next turn of the event loop.
      this.soonScheduled = true;
      setImmediate(() => {
        this.soonScheduled = false;
        void this.flush();
      });
    }
  }

  /** Writes one batch from the head of the queue; one write at a time. Never rejects. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.queue.length === 0) return Promise.resolve();
    const batch = this.queue.splice(0, this.options.batchSize);
    this.flushing = this.write(batch).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(batch: UsageRecord[]): Promise<void> {
    try {
      await this.store.insertBatch(batch);
      if (this.storeFailing) {
        this.storeFailing = false;
        this.logger.log(`usage records are being stored again (${this.queue.length} still queued)`);
      }
      this.warnDropped();
    } catch (error) {
      if (!this.storeFailing) {
        this.storeFailing = true;
        this.logger.warn({ err: error }, 'usage records cannot be stored; keeping them queued and retrying every flush');
      }
      // Back at the head, in order; what no longer fits is dropped.
      const room = Math.max(0, this.options.maxQueued - this.queue.length);
      if (room < batch.length) this.drop(batch.length - room);
      this.queue = batch.slice(0, room).concat(this.queue);
    }
  }

  private drop(count: number): void {
    this.dropped += count;
    // The first drop of a run warns at once; the rest are summed up when writing resumes.
    if (this.dropped - count === this.droppedWarned) this.logger.warn(`the usage queue is full (${this.options.maxQueued}); dropping usage records`);
  }

  private warnDropped(): void {
    if (this.dropped === this.droppedWarned) return;
    this.logger.warn(`${this.dropped - this.droppedWarned} usage records were dropped while the queue was full`);
    this.droppedWarned = this.dropped;
  }
}
