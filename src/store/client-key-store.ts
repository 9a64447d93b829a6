// The storage contract for client keys. The embedded driver is SQLite (sqlite/); a PostgreSQL one
// joins for multi-instance deployments and runs the same contract suite
// (client-key-store.contract.ts). Abstract class rather than interface so it can be a DI token.
import type { ClientKey, ClientKeyChanges, NewClientKey } from './client-key';

/** A name already used by a key that is not revoked. */
export class ClientKeyNameTaken extends Error {
  constructor(readonly keyName: string) {
    super(`a client key named "${keyName}" already exists (revoke it first, or choose another name)`);
    this.name = 'ClientKeyNameTaken';
  }
}

export abstract class ClientKeyStore {
  /** Creates a key (its id is chosen by the store); throws ClientKeyNameTaken. */
  abstract create(key: NewClientKey): Promise<ClientKey>;

  /** Every key, revoked ones included, oldest first. */
  abstract list(): Promise<ClientKey[]>;

  /** By id, else by name (the key not revoked, else the one revoked last). */
  abstract find(idOrName: string): Promise<ClientKey | undefined>;

  /** Changes a key's scope and limits; undefined when there is no such key. */
  abstract update(idOrName: string, changes: ClientKeyChanges): Promise<ClientKey | undefined>;

  /** Revokes a key for good (a second revoke keeps the first time); undefined when there is no such key. */
  abstract revoke(idOrName: string): Promise<ClientKey | undefined>;

  /**
   * Records when keys were last used, many at once (the gateway batches these: never a write per
   * request). A time older than the stored one is ignored; unknown ids are skipped.
   */
  abstract recordUse(lastUsed: ReadonlyMap<string, number>): Promise<void>;

  /**
   * A number that changes whenever a key is created, updated or revoked, by any process sharing
   * the store (not when one is merely used): caches poll it to learn when to reload.
   */
  abstract revision(): Promise<number>;
}
