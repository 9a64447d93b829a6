// Whether the store answers, for readiness (/readyz): a load balancer should not send requests
// to an instance whose database it cannot reach. Abstract class rather than interface so it can
// be a DI token; each backend provides one.
export abstract class StoreProbe {
  /** Resolves when the store answered a trivial query; rejects with the reason otherwise. */
  abstract ping(): Promise<void>;
}
