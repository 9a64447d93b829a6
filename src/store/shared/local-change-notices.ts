// Change notices within one process: an instance never hears its own, so a lone gateway's are
// heard by nobody. Instances built on one hub (tests that run several in one process) hear each
// other, as they would through Redis.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ChangeNotices, type ChangeKind, type ChangeListener, type ChangeNotice } from './change-notices';

export class LocalChangeNotices extends ChangeNotices {
  readonly instanceId = randomUUID();

  constructor(private readonly hub: EventEmitter = new EventEmitter()) {
    super();
    hub.setMaxListeners(0);
  }

  async publish(kind: ChangeKind, detail?: string): Promise<void> {
    const notice: ChangeNotice = { kind, from: this.instanceId, at: Date.now(), detail };
    // Delivered on a later tick, as a message from elsewhere would be.
    setImmediate(() => this.hub.emit(kind, notice));
  }

  subscribe(kind: ChangeKind, listener: ChangeListener): () => void {
    const heard = (notice: ChangeNotice) => {
      if (notice.from !== this.instanceId) deliver(listener, notice);
    };
    this.hub.on(kind, heard);
    return () => this.hub.off(kind, heard);
  }
}

/** A listener that throws must not stop the others, nor the publisher. */
export function deliver(listener: ChangeListener, notice: ChangeNotice): void {
  try {
    listener(notice);
  } catch {
    // Listeners catch and log their own failures; one that does not is not our caller's problem.
  }
}
