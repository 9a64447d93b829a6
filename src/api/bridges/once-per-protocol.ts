// A request body translated into each protocol a target may speak — at most once per protocol,
// however many targets (credentials, fallbacks) the request tries.
import type { WireProtocol } from '../../contract/provider-executor';

export function oncePerProtocol(translate: (protocol: WireProtocol) => object): (protocol: WireProtocol) => object {
  const done = new Map<WireProtocol, object>();
  return (protocol) => {
    let body = done.get(protocol);
    if (!body) {
      body = translate(protocol);
      done.set(protocol, body);
    }
    return body;
  };
}
