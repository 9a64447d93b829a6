// Readiness for the PostgreSQL store: a trivial query through the pool, so /readyz fails while
// the database cannot be reached (the pool's connection timeout bounds how long that takes).
import { StoreProbe } from '../store-probe';
import type { PostgresDatabase } from './postgres-database';

export class PostgresStoreProbe extends StoreProbe {
  constructor(private readonly database: PostgresDatabase) {
    super();
  }

  async ping(): Promise<void> {
    await this.database.query('SELECT 1', [], 'byokey_ping');
  }
}
