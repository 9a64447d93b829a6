// AWS event-stream framing (`application/vnd.amazon.eventstream`, reference/wire-protocols.md §7
// "Kiro"), read incrementally from a byte stream: a frame may be split across TCP chunks and a
// chunk may hold several frames. Each frame is a 12-byte prelude (total length, headers length,
// CRC32 of those 8 bytes), the headers, the payload and a CRC32 of everything before it.
// @smithy/core's codec checks both CRCs and parses the headers; this file only cuts the byte
// stream into frames. The prelude's CRC is checked as soon as it arrives, before its length is
// trusted, so a corrupt length never makes the decoder wait for (or allocate) bytes that will not come.
import { crc32 } from 'node:zlib';
import type { EventStreamCodec, Message, MessageHeaders } from '@smithy/core/event-streams';

const PRELUDE_BYTES = 12;
/** Prelude + message CRC. */
const MIN_FRAME_BYTES = 16;
/** AWS caps an event-stream message at 16 MiB; anything larger is not a frame. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** The byte stream is not AWS event-stream framing (a CRC mismatch, an impossible length, a cut frame). */
export class EventStreamFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStreamFrameError';
  }
}

/** One decoded frame: its headers by name (values as strings, numbers or bytes) and its payload. */
export interface EventStreamFrame {
  headers: Record<string, string | number | boolean | Uint8Array>;
  payload: Uint8Array;
}

const utf8 = {
  encode: (input: Uint8Array): string => Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8'),
  decode: (input: string): Uint8Array => Buffer.from(input, 'utf8'),
};

/** The codec both directions use (the fake upstream encodes with it too). */
export function eventStreamCodec(): EventStreamCodec {
  // Loaded at the first Kiro answer, not at start: a gateway without Kiro never pays its memory.
  const { EventStreamCodec: Codec } = require('@smithy/core/event-streams') as typeof import('@smithy/core/event-streams');
  return new Codec(utf8.encode, utf8.decode);
}

export class EventStreamDecoder {
  private readonly codec = eventStreamCodec();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The total length of the frame being read, once its prelude checked out. */
  private frameBytes?: number;

  /**
   * The frames completed by `chunk`, one at a time: the good frames before a bad one are yielded
   * before it throws EventStreamFrameError, so what arrived intact is not lost with it.
   */
  *feed(chunk: Uint8Array): Generator<EventStreamFrame> {
    if (chunk.byteLength > 0) {
      this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.pendingBytes += chunk.byteLength;
    }
    for (;;) {
      if (this.frameBytes === undefined) {
        if (this.pendingBytes < PRELUDE_BYTES) return;
        this.frameBytes = checkedLength(this.peek(PRELUDE_BYTES));
      }
      if (this.pendingBytes < this.frameBytes) return;
      const frame = this.decode(this.take(this.frameBytes));
      this.frameBytes = undefined;
      yield frame;
    }
  }

  /** The stream ended: throws if it stopped inside a frame. */
  end(): void {
    if (this.pendingBytes > 0) throw new EventStreamFrameError(`the event stream ended inside a frame (${this.pendingBytes} bytes left over)`);
  }

  private decode(bytes: Buffer): EventStreamFrame {
    let message: Message;
    try {
      message = this.codec.decode(bytes);
    } catch (error) {
      throw new EventStreamFrameError(`bad event-stream frame: ${(error as Error).message}`);
    }
    return { headers: headerValues(message.headers), payload: message.body };
  }

  /** The first `n` pending bytes, without consuming them. */
  private peek(n: number): Buffer {
    if (this.pending[0].byteLength < n) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0].subarray(0, n);
  }

  /** Consumes the first `n` pending bytes (as one buffer). */
  private take(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    const taken = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.byteLength > 0 ? [rest] : [];
    this.pendingBytes = rest.byteLength;
    return taken;
  }
}

/** The frame length a prelude states, once its CRC and bounds check out. */
function checkedLength(prelude: Buffer): number {
  const total = prelude.readUInt32BE(0);
  const headers = prelude.readUInt32BE(4);
  const stated = prelude.readUInt32BE(8);
  const actual = crc32(prelude.subarray(0, 8));
  if (stated !== actual) throw new EventStreamFrameError(`bad event-stream frame: prelude CRC32 ${stated} does not match ${actual}`);
  if (total < MIN_FRAME_BYTES || total > MAX_FRAME_BYTES || headers > total - MIN_FRAME_BYTES) {
    throw new EventStreamFrameError(`bad event-stream frame: impossible lengths (total ${total}, headers ${headers})`);
  }
  return total;
}

function headerValues(headers: MessageHeaders): EventStreamFrame['headers'] {
  const out: EventStreamFrame['headers'] = {};
  for (const [name, header] of Object.entries(headers)) {
    const value = header.value;
    out[name] = value instanceof Date ? value.getTime() : typeof value === 'object' && !(value instanceof Uint8Array) ? String(value) : value;
  }
  return out;
}
