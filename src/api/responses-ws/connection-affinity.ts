// The CallAffinity of one client WebSocket: what ties its responses to one upstream connection
// (registry/provider-executor.ts), ended when the client's socket closes.
import type { CallAffinity } from '../../contract/provider-executor';

export class ConnectionAffinity implements CallAffinity {
  last?: { instance: string; credentialKey: string };
  private listeners: Array<() => void> = [];
  private done = false;

  get ended(): boolean {
    return this.done;
  }

  onEnd(listener: () => void): void {
    if (this.done) listener();
    else this.listeners.push(listener);
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }
}
