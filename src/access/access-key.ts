// A key the gateway lets in, as access decisions see it: a stored client key or a static one
// from providers.yaml (`auth.keys`, which has no scope and no limits).
import type { ClientKeyLimits } from '../store/client-key';

export interface AccessKey extends ClientKeyLimits {
  id: string;
  name: string;
}
