// Token refreshes as a Prometheus counter by provider and outcome (refreshed, failed, relogin):
// a rising `failed` means a token server in trouble, any `relogin` a person who must log in again.
// Told by the credentials service (auth announces; it knows nothing of metrics).
import { Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { AccountCredentials } from '../auth/account-credentials.service';
import { MetricsRegistry } from './metrics-registry';

@Injectable()
export class TokenRefreshMetrics implements OnModuleDestroy {
  private readonly stop?: () => void;

  constructor(metrics: MetricsRegistry, @Optional() credentials?: AccountCredentials) {
    if (!credentials) return;
    const refreshes = metrics.counter({
      name: 'byokey_token_refreshes_total',
      help: 'OAuth token refreshes by provider and outcome (refreshed, failed: retried later, relogin: the provider refused the login)',
      labelNames: ['provider', 'outcome'],
    });
    this.stop = credentials.onRefresh(({ provider, outcome }) => refreshes.inc({ provider, outcome }));
  }

  onModuleDestroy(): void {
    this.stop?.();
  }
}
