// Credential health and quota as Prometheus gauges, read at scrape time from the same view GET
// /admin/v1/providers answers (ProviderStatusService), so requests pay nothing for them and the
// metrics never disagree with the admin API:
//   byokey_credentials{provider_instance, state}                  how many credentials are in each state
//   byokey_quota_used_percent{provider_instance, credential, window} the used percent an upstream last reported
import { Injectable, Logger } from '@nestjs/common';
import type { Gauge } from 'prom-client';
import { MetricsRegistry } from '../../metrics/metrics-registry';
import { ProviderStatusService } from './provider-status.service';
import type { CredentialState, ProviderView } from './provider-views';

const STATES: readonly CredentialState[] = ['ready', 'cooling', 'needs_login', 'disabled'];

@Injectable()
export class ProviderStatusMetrics {
  private readonly logger = new Logger(ProviderStatusMetrics.name);
  /** The view being read for the scrape under way: both gauges share one read of the store. */
  private reading?: Promise<ProviderView[] | undefined>;

  constructor(metrics: MetricsRegistry, private readonly status: ProviderStatusService) {
    const views = () => this.views();
    metrics.gauge({
      name: 'byokey_credentials',
      help: 'Credentials of each instance by state: ready, cooling (after a failure or a usage limit), needs_login, disabled',
      labelNames: ['provider_instance', 'state'],
      async collect(this: Gauge<'provider_instance' | 'state'>) {
        const providers = await views();
        this.reset();
        for (const provider of providers ?? []) {
          // Every state, zeros too, so an alert on `cooling > 0` sees the instance before it happens.
          const counts = new Map<CredentialState, number>(STATES.map((state) => [state, 0]));
          for (const credential of provider.credentials) counts.set(credential.state, (counts.get(credential.state) ?? 0) + 1);
          for (const [state, count] of counts) this.set({ provider_instance: provider.name, state }, count);
        }
      },
    });
    metrics.gauge({
      name: 'byokey_quota_used_percent',
      help: "Percent of a quota window used, as the upstream last reported it for the account (Codex: primary = 5 h, secondary = 7 d)",
      labelNames: ['provider_instance', 'credential', 'window'],
      async collect(this: Gauge<'provider_instance' | 'credential' | 'window'>) {
        const providers = await views();
        this.reset();
        for (const provider of providers ?? []) {
          for (const credential of provider.credentials) {
            for (const window of credential.quota?.windows ?? []) {
              if (window.used_percent !== undefined) this.set({ provider_instance: provider.name, credential: credential.id, window: window.window }, window.used_percent);
            }
          }
        }
      },
    });
  }

  /**
   * The providers' view, read once per scrape. A store that cannot be read leaves the gauges
   * empty for that scrape (no number is better than a stale one) rather than failing /metrics.
   */
  private views(): Promise<ProviderView[] | undefined> {
    this.reading ??= this.status
      .all()
      .catch((error: unknown) => {
        this.logger.warn(`credential metrics left out of this scrape: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}
