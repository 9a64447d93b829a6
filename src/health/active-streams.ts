// The streams being served right now, so shutdown can let them finish and, past its deadline,
// end them with an in-stream error instead of cutting the connection mid-event.
import { Injectable } from '@nestjs/common';
import { GatewayError } from '../common/gateway-error';

export interface StreamHandle {
  /** Ends the stream with this error as its last event. */
  stop(reason: GatewayError): void;
}

@Injectable()
export class ActiveStreams {
  private readonly streams = new Set<StreamHandle>();

  get count(): number {
    return this.streams.size;
  }

  add(handle: StreamHandle): void {
    this.streams.add(handle);
  }

  delete(handle: StreamHandle): void {
    this.streams.delete(handle);
  }

  stopAll(): void {
    const reason = new GatewayError(503, 'The gateway is shutting down; this stream was ended before it finished.', {
      type: 'server_error',
      code: 'gateway_shutting_down',
    });
    for (const handle of this.streams) handle.stop(reason);
  }
}
