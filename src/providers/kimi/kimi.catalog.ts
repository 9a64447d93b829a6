// Models a Kimi Code login serves when its upstream's own list (GET <base>/models) cannot be
// had: the ids the Kimi Code API answers to. The live list, fetched by the plugin, wins; this is
// the fallback and the routing table before the first fetch.
export const KIMI_MODELS: readonly string[] = ['kimi-for-coding', 'k2p7', 'k2p5', 'kimi-k2-thinking'];
