import pino from 'pino';
import { MAX_PENDING_BYTES, TurnBufferedStdout } from './turn-buffered-stdout';

/** A stdout that records each write(2), and can be made to refuse (EAGAIN) or take a part. */
function fakeStdout() {
  const writes: string[] = [];
  let refuse = false;
  let takeAtMost = Infinity;
  const turns: Array<() => void> = [];
  const retries: Array<() => void> = [];
  const destination = new TurnBufferedStdout(1, {
    writeSync: (_fd, buffer) => {
      if (refuse) throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
      const taken = buffer.subarray(0, Math.min(buffer.length, takeAtMost));
      writes.push(taken.toString());
      return taken.length;
    },
    afterTurn: (fn) => turns.push(fn),
    retryLater: (fn) => retries.push(fn),
  });
  const endTurn = () => turns.splice(0).forEach((fn) => fn());
  const retry = () => retries.splice(0).forEach((fn) => fn());
  return {
    destination,
    writes,
    endTurn,
    retry,
    refuse: (on: boolean) => (refuse = on),
    takeAtMost: (n: number) => (takeAtMost = n),
  };
}

describe('TurnBufferedStdout', () => {
  it('writes the lines of one turn together, after the turn, and nothing before', () => {
    const out = fakeStdout();
    out.destination.write('{"a":1}\n');
    out.destination.write('{"b":2}\n');
    expect(out.writes).toEqual([]);
    out.endTurn();
    expect(out.writes).toEqual(['{"a":1}\n{"b":2}\n']);
    out.destination.write('{"c":3}\n');
    out.endTurn();
    expect(out.writes).toEqual(['{"a":1}\n{"b":2}\n', '{"c":3}\n']);
  });

  it('writes what is pending on flushSync (as at exit)', () => {
    const out = fakeStdout();
    out.destination.write('{"last":true}\n');
    out.destination.flushSync();
    expect(out.writes).toEqual(['{"last":true}\n']);
  });

  it("writes what is pending at once on pino's logger.flush(), and calls its callback", () => {
    const out = fakeStdout();
    const logger = pino({ base: undefined, timestamp: false }, out.destination);
    logger.info('before a long synchronous task');
    const called = jest.fn();
    logger.flush(called);
    expect(out.writes).toEqual(['{"level":30,"msg":"before a long synchronous task"}\n']);
    expect(called).toHaveBeenCalledTimes(1);
  });

  it('goes on after a partial write, byte for byte', () => {
    const out = fakeStdout();
    out.takeAtMost(5);
    out.destination.write('{"é":"ü"}\n');
    out.endTurn();
    expect(Buffer.from(out.writes.join('')).toString()).toBe('{"é":"ü"}\n');
  });

  it('keeps the lines a full stdout refused and writes them, in order, when it takes them again', () => {
    const out = fakeStdout();
    out.refuse(true);
    out.destination.write('{"n":1}\n');
    out.endTurn();
    out.destination.write('{"n":2}\n');
    out.refuse(false);
    out.retry();
    out.endTurn();
    expect(out.writes.join('')).toBe('{"n":1}\n{"n":2}\n');
  });

  it('drops new lines past its bound while stdout takes none, and says how many when it does again', () => {
    const out = fakeStdout();
    out.refuse(true);
    const big = `${'x'.repeat(1024 * 1024)}\n`;
    let accepted = 0;
    for (let i = 0; i < MAX_PENDING_BYTES / big.length + 3; i++) if (out.destination.write(big)) accepted++;
    out.endTurn();
    expect(accepted).toBe(Math.ceil(MAX_PENDING_BYTES / big.length));
    out.refuse(false);
    out.retry();
    const lines = out.writes.join('').split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(accepted + 1);
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ level: 40, msg: '3 log lines were dropped while stdout took none' });
  });
});
