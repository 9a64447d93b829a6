// UsageWriter with the real SQLite store (in memory), instrumented to count its batches and to
// fail on demand: records reach the store in batches and never one write per request, the last
// ones at shutdown, and a store that fails costs records (counted) but never a request.
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { migrate } from '../store/sqlite/migrations';
import { SqliteUsageStore } from '../store/sqlite/sqlite-usage-store';
import { usageRecord } from '../store/usage-store.contract';
import { UsageBus } from './usage-bus';
import type { UsageRecord } from '../store/usage-record';
import { UsageWriter, type UsageWriterOptions } from './usage-writer.service';

class InstrumentedStore extends SqliteUsageStore {
  batches: number[] = [];
  failing = false;
  /** While set, a write waits for it (a slow store). */
  gate?: Promise<void>;

  override async insertBatch(records: readonly UsageRecord[]): Promise<void> {
    if (this.gate) await this.gate;
    if (this.failing) throw new Error('disk I/O error');
    this.batches.push(records.length);
    await super.insertBatch(records);
  }

  async storedIds(): Promise<string[]> {
    return (await this.recent({ limit: 1000 })).records.map((r) => r.requestId).reverse();
  }
}

// The writer's interval and its "write soon" (setImmediate) run on Jest's fake clock: each
// `advance(ms)` is exactly that much time for the writer, however slow the machine.
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

describe('UsageWriter', () => {
  let db: Database.Database;
  let store: InstrumentedStore;
  let bus: UsageBus;
  let writer: UsageWriter;
  let warnings: string[];

  function start(options: Partial<UsageWriterOptions>): void {
    writer = new UsageWriter(bus, store, options);
    writer.onModuleInit();
  }

  const publish = (...ids: string[]) => ids.forEach((id) => bus.publish(usageRecord({ requestId: id })));

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    db = new Database(':memory:');
    migrate(db, ':memory:');
    store = new InstrumentedStore(db);
    bus = new UsageBus();
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown, text?: unknown) => {
      warnings.push(String(typeof message === 'string' ? message : text));
    });
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    store.failing = false;
    store.gate = undefined;
    await writer.onApplicationShutdown();
    db.close();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('writes the records of many requests as one batch each interval, not one write per request', async () => {
    start({ flushIntervalMs: 50, batchSize: 1000 });
    publish('r1', 'r2', 'r3');
    expect(store.batches).toEqual([]);
    await advance(120);
    expect(store.batches).toEqual([3]);
    expect(await store.storedIds()).toEqual(['r1', 'r2', 'r3']);
  });

  it('writes a full batch at once, without waiting for the interval', async () => {
    start({ flushIntervalMs: 60_000, batchSize: 4 });
    publish('r1', 'r2', 'r3');
    await advance(20);
    expect(store.batches).toEqual([]);
    publish('r4', 'r5');
    await advance(20);
    expect(store.batches).toEqual([4]);
    expect(writer.queued).toBe(1);
  });

  it('writes what is still queued at shutdown, batch after batch', async () => {
    start({ flushIntervalMs: 60_000, batchSize: 2 });
    // One below a full batch each time, so nothing is written before shutdown…
    publish('r1');
    await writer.onApplicationShutdown();
    expect(await store.storedIds()).toEqual(['r1']);
    // …and a queue longer than a batch goes in several.
    start({ flushIntervalMs: 60_000, batchSize: 3 });
    for (let i = 2; i <= 5; i++) writer.enqueue(usageRecord({ requestId: `r${i}` }));
    await writer.onApplicationShutdown();
    expect(store.batches).toEqual([1, 3, 1]);
    expect(await store.storedIds()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('keeps records while the store fails, warns once, and stores them in order once it is back', async () => {
    start({ flushIntervalMs: 30, batchSize: 1000 });
    store.failing = true;
    publish('r1', 'r2');
    await advance(100);
    publish('r3');
    await advance(100);
    expect(await store.storedIds()).toEqual([]);
    expect(writer.queued).toBe(3);
    expect(warnings.filter((w) => w.includes('cannot be stored'))).toHaveLength(1);
    store.failing = false;
    await advance(100);
    expect(await store.storedIds()).toEqual(['r1', 'r2', 'r3']);
    expect(writer.dropped).toBe(0);
  });

  it('drops and counts what does not fit in the queue while the store is down, and says so', async () => {
    start({ flushIntervalMs: 30, batchSize: 1000, maxQueued: 3 });
    store.failing = true;
    // Publishing never throws, whatever the store does.
    expect(() => publish('r1', 'r2', 'r3', 'r4', 'r5')).not.toThrow();
    await advance(80);
    expect(writer.dropped).toBe(2);
    expect(warnings.some((w) => w.includes('queue is full'))).toBe(true);
    store.failing = false;
    await advance(80);
    expect(await store.storedIds()).toEqual(['r1', 'r2', 'r3']);
    expect(warnings.some((w) => w.includes('2 usage records were dropped'))).toBe(true);
  });

  it('has one write in flight at a time while the store is slow; requests only queue', async () => {
    start({ flushIntervalMs: 20, batchSize: 1000 });
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    publish('r1');
    await advance(50);
    publish('r2', 'r3');
    await advance(50);
    expect(store.batches).toEqual([]);
    store.gate = undefined;
    open();
    await advance(60);
    expect(store.batches).toEqual([1, 2]);
    expect(await store.storedIds()).toEqual(['r1', 'r2', 'r3']);
  });

  it('gives up at shutdown when the store refuses, reporting what is lost', async () => {
    start({ flushIntervalMs: 60_000, batchSize: 1000 });
    store.failing = true;
    publish('r1', 'r2');
    await writer.onApplicationShutdown();
    expect(warnings.some((w) => w.includes('2 usage records could not be stored before shutdown'))).toBe(true);
  });
});
