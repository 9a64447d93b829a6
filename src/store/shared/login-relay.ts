// How a login run over the admin API reaches the other gateway instances. Its flow (the device
// code polling, or the PKCE verifier waiting for the pasted redirect) stays in the memory of the
// instance that started it — the owner; this relay only carries what the others need to answer
// for it behind a load balancer: the login's public view (what GET …/logins/{id} shows), shared by
// the owner on start, on every change and periodically while it waits, and the redirect address
// pasted on another instance, handed to the owner to exchange. Nothing secret is kept: the view
// has no token, code or verifier, and a pasted address (a one-time code bound to the owner's
// verifier) only passes through a message. In one process (no `redis:`) there is nobody to tell:
// LocalLoginRelay.
import { randomUUID } from 'node:crypto';

export interface RelayedLogin {
  /** The owner's LoginRelay.instanceId. */
  owner: string;
  /**
   * Until when the owner vouches for a pending login (ms since epoch): it shares it again before
   * then, so a pending login past it has lost the instance that ran it.
   */
  aliveUntil: number;
  /** The login as GET /admin/v1/accounts/logins/{id} answers it: public facts only. */
  view: Record<string, unknown>;
}

/** The owner is given what a person pasted on another instance, for its login `id`. */
export type HandOverListener = (id: string, pasted: string) => void;

export abstract class LoginRelay {
  /** This instance's id, as the owner of the logins it shares. */
  abstract readonly instanceId: string;

  /** Shares (or replaces) login `id` for `ttlMs`; nothing when that is not positive. Never rejects. */
  abstract share(id: string, login: RelayedLogin, ttlMs: number): Promise<void>;

  /** Login `id` as its owner last shared it; undefined when nobody did, or it cannot be read now. Never rejects. */
  abstract read(id: string): Promise<RelayedLogin | undefined>;

  /**
   * Sends `pasted` to instance `owner` for its login `id`. Resolves whether it left for a listening
   * instance (delivery is at most once); never rejects.
   */
  abstract handOver(owner: string, id: string, pasted: string): Promise<boolean>;

  /** Calls `listener` with what is handed over to this instance; returns the unsubscribe. */
  abstract onHandOver(listener: HandOverListener): () => void;

  /**
   * Whether instance `owner` listens for hand-overs now: false once it is gone (stopped, crashed,
   * or cut off from the others), true while it is there — and when that cannot be told now, so
   * a failed check never ends a login. Never rejects.
   */
  abstract isListening(owner: string): Promise<boolean>;
}

/**
 * Several in-process instances' shared logins, for tests that run them in one process: one map
 * of views with their expiry, and the hand-overs between them.
 */
export class LoginRelayHub {
  readonly logins = new Map<string, { login: RelayedLogin; until: number }>();
  readonly listeners = new Map<string, Set<HandOverListener>>();
}

/**
 * One process: a lone instance (no hub) shares nothing and hears nothing — a login lives on the
 * instance that started it, as it always did. Instances on one hub see each other's.
 */
export class LocalLoginRelay extends LoginRelay {
  readonly instanceId = randomUUID();

  constructor(private readonly hub?: LoginRelayHub) {
    super();
  }

  async share(id: string, login: RelayedLogin, ttlMs: number): Promise<void> {
    if (!this.hub) return;
    const now = Date.now();
    for (const [key, entry] of this.hub.logins) if (entry.until <= now) this.hub.logins.delete(key);
    if (ttlMs > 0) this.hub.logins.set(id, { login: structuredClone(login), until: now + ttlMs });
  }

  async read(id: string): Promise<RelayedLogin | undefined> {
    const entry = this.hub?.logins.get(id);
    return entry && entry.until > Date.now() ? structuredClone(entry.login) : undefined;
  }

  async handOver(owner: string, id: string, pasted: string): Promise<boolean> {
    const listeners = this.hub?.listeners.get(owner);
    if (!listeners?.size) return false;
    // Delivered on a later tick, as a message from elsewhere would be.
    setImmediate(() => {
      for (const listener of listeners) deliverHandOver(listener, id, pasted);
    });
    return true;
  }

  async isListening(owner: string): Promise<boolean> {
    return (this.hub?.listeners.get(owner)?.size ?? 0) > 0;
  }

  onHandOver(listener: HandOverListener): () => void {
    const hub = this.hub;
    if (!hub) return () => undefined;
    let set = hub.listeners.get(this.instanceId);
    if (!set) hub.listeners.set(this.instanceId, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }
}

/** Whether something read back (written by any version of any instance) is a RelayedLogin. */
export function isRelayedLogin(value: unknown): value is RelayedLogin {
  const v = value as Partial<RelayedLogin> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.owner === 'string' &&
    typeof v.aliveUntil === 'number' &&
    typeof v.view === 'object' &&
    v.view !== null &&
    !Array.isArray(v.view)
  );
}

/** A listener that throws must not stop the others, nor the sender. */
export function deliverHandOver(listener: HandOverListener, id: string, pasted: string): void {
  try {
    listener(id, pasted);
  } catch {
    // The listener (HttpLogins) catches and logs its own failures.
  }
}
