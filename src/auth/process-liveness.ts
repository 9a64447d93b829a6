// Whether a process on this machine is still running, for taking over a refresh lease whose
// holder died (kill -9, OOM, power button) without waiting for the lease to run out.

/** Asks the process table which processes exist; injected so tests need no real processes. */
export type ProcessLiveness = (pid: number) => boolean;

/**
 * True while `pid` exists. Signal 0 checks without sending anything: ESRCH means no such process;
 * EPERM means it exists but belongs to someone else, so it is alive. Anything unexpected counts as
 * alive too: wrongly thinking a holder alive costs a wait, wrongly thinking it dead can spend a
 * refresh token twice.
 */
export const isProcessAlive: ProcessLiveness = (pid) => {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
};
