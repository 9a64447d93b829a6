// The API keys of one provider instance (`api_key` first, then `api_keys`), handed out in turn.
// Cooldowns, health and OAuth accounts join this pool in the routing issue (#6).
import type { ProviderInstanceConfigDto } from '../config/config.schema';
import type { Credential } from '../registry/provider-executor';

export class CredentialPool {
  private readonly credentials: Credential[];
  private next = 0;

  constructor(settings: ProviderInstanceConfigDto) {
    const keys: Credential[] = [];
    // An empty api_key (e.g. `${OPENAI_API_KEY:-}` with the variable unset) means "no key".
    if (settings.api_key) keys.push({ kind: 'api-key', id: 'api_key', key: settings.api_key });
    settings.api_keys?.forEach((entry, index) =>
      keys.push({ kind: 'api-key', id: `api_keys[${index}]`, key: entry.key, baseUrl: entry.base_url }),
    );
    this.credentials = keys.length > 0 ? keys : [{ kind: 'none' }];
  }

  get size(): number {
    return this.credentials.length;
  }

  /** The next credential in round-robin order. */
  take(): Credential {
    const credential = this.credentials[this.next];
    this.next = (this.next + 1) % this.credentials.length;
    return credential;
  }
}
