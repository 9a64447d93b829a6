// Token refreshes as a Prometheus counter by provider and outcome (refreshed, failed, relogin):
// a rising `failed` means a token server in trouble, any `relogin` a person who must log in again.
import type { MetricsRegistry } from '../metrics/metrics-registry';
import type { RefreshEvent } from './token-refresher';

/** Counts each refresh attempt the refresher reports. */
export function countTokenRefreshes(metrics: MetricsRegistry): (event: RefreshEvent) => void {
  const refreshes = metrics.counter({
    name: 'byokey_token_refreshes_total',
    help: 'OAuth token refreshes by provider and outcome (refreshed, failed: retried later, relogin: the provider refused the login)',
    labelNames: ['provider', 'outcome'],
  });
  return ({ provider, outcome }) => refreshes.inc({ provider, outcome });
}
