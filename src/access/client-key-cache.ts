// The client keys in memory, so letting a request in reads no database: every key by the SHA-256
// of its secret, plus the static keys of providers.yaml. The store's revision is polled twice a
// second and everything reloaded when it moved, so a key revoked anywhere (the admin API, the CLI,
// another gateway on the same database) stops working within a second — at once when another
// gateway says so with a change notice. When keys were last used is gathered here and written in
// one batch every few seconds, never per request.
import { Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PluginRegistry } from '../registry/plugin-registry.service';
import { hashSecret, sameDigest } from '../store/client-key-secret';
import { ClientKeyStore } from '../store/client-key-store';
import { ChangeNotices } from '../store/shared/change-notices';
import type { AccessKey } from './access-key';

/** How often the store's revision is checked: half the promised second. */
export const KEY_POLL_MS = 500;
/** How often last-use times are written. */
export const USE_FLUSH_MS = 10_000;

interface Entry {
  key: AccessKey;
  /** SHA-256 of the secret, hex. */
  hash: string;
}

@Injectable()
export class ClientKeyCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ClientKeyCache.name);
  /** Stored keys not revoked, by hash (hex). */
  private stored = new Map<string, Entry>();
  private storedCount = 0;
  private revision?: number;
  /** Static keys, rebuilt when the configuration in force is a new one (a reload). */
  private staticKeys = new Map<string, Entry>();
  private staticSource?: readonly string[];
  private readonly lastUsed = new Map<string, number>();
  private pollTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private polling = false;
  private unsubscribe?: () => void;

  constructor(
    private readonly store: ClientKeyStore,
    private readonly registry: PluginRegistry,
    @Optional() private readonly notices?: ChangeNotices,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = this.notices?.subscribe('client-keys', () => void this.refreshOnNotice());
    await this.refresh();
    this.pollTimer = setInterval(() => void this.poll(), KEY_POLL_MS);
    this.flushTimer = setInterval(() => void this.flushUse(), USE_FLUSH_MS);
    this.pollTimer.unref();
    this.flushTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.pollTimer);
    clearInterval(this.flushTimer);
    await this.flushUse();
  }

  /** The key whose secret this is, revoked keys excepted; undefined for anything else. */
  lookup(secret: string): AccessKey | undefined {
    const hex = hashSecret(secret);
    const entry = this.stored.get(hex) ?? this.staticEntries().get(hex);
    if (!entry) return undefined;
    // The map found it by hash already; the compare keeps the final check constant-time.
    return sameDigest(entry.hash, hex) ? entry.key : undefined;
  }

  /** Whether the store holds any client key, revoked ones too. */
  get hasStoredKeys(): boolean {
    return this.storedCount > 0;
  }

  /** Notes that a key was used; written with the next batch. */
  markUsed(keyId: string, at: number): void {
    if (!keyId.startsWith('static:')) this.lastUsed.set(keyId, at);
  }

  /** Reloads the stored keys if the store's revision moved (at once after our own writes). */
  async refresh(): Promise<void> {
    const revision = await this.store.revision();
    if (revision === this.revision) return;
    const keys = await this.store.list();
    const stored = new Map<string, Entry>();
    for (const key of keys) {
      if (key.revokedAt !== undefined) continue;
      const { secretHash, prefix: _prefix, createdAt: _created, lastUsedAt: _used, revokedAt: _revoked, ...access } = key;
      stored.set(secretHash, { key: access, hash: secretHash });
    }
    this.stored = stored;
    this.storedCount = keys.length;
    this.revision = revision;
  }

  async flushUse(): Promise<void> {
    if (this.lastUsed.size === 0) return;
    const batch = new Map(this.lastUsed);
    this.lastUsed.clear();
    try {
      await this.store.recordUse(batch);
    } catch (error) {
      // Last use is a convenience: a busy or failing store must not cost a request anything.
      this.logger.warn(`could not record when client keys were last used: ${(error as Error).message}`);
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.refresh();
    } catch (error) {
      // Keep serving with the keys we have; the next poll tries again.
      this.logger.warn(`could not reload client keys: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  /** Another gateway changed a key: read now (a poll under way may have looked just before the change). */
  private async refreshOnNotice(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      this.logger.warn(`could not reload client keys after another gateway changed one: ${(error as Error).message}`);
    }
  }

  private staticEntries(): Map<string, Entry> {
    const keys = this.registry.config.access.keys;
    if (keys !== this.staticSource) {
      const entries = new Map<string, Entry>();
      keys.forEach((secret, index) => {
        const hex = hashSecret(secret);
        entries.set(hex, { key: { id: `static:${index}`, name: `auth.keys[${index}]`, models: [] }, hash: hex });
      });
      this.staticKeys = entries;
      this.staticSource = keys;
    }
    return this.staticKeys;
  }
}
