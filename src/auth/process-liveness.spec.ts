// The liveness check against real processes: a running child is alive, the same child after
// kill -9 is dead, a process we may not signal (EPERM) still counts as alive.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { isProcessAlive } from './process-liveness';

describe('isProcessAlive', () => {
  it('sees a child node process alive, then dead once it is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await once(child, 'spawn');
      expect(isProcessAlive(child.pid!)).toBe(true);
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      const [code, signal] = await exited;
      expect([code, signal]).toEqual([null, 'SIGKILL']);
      expect(isProcessAlive(child.pid!)).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('counts itself and init as alive (init answers EPERM to anyone but root)', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(1)).toBe(true);
  });

  it('never names a pid that cannot exist alive (0 would mean "my process group")', () => {
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
    expect(isProcessAlive(1.5)).toBe(false);
  });
});
