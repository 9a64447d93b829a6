// The last line of defence of a serving process: an error that escaped every request's own
// handling (a stream emitting 'error' after its reader let go, a promise nobody awaited) is
// logged and the process goes on. Without this, Node ends the process on the first such error,
// and every other client's stream dies with it. Reaching here is always a bug to fix: the line
// says so, at error level, with the stack. Installed by `byokey serve`, not by tests, where
// jest's own handlers must see such an error and fail the test.
import type { Logger } from 'pino';

/** Installs the guard; returns the function that removes it. */
export function installProcessGuard(logger: Logger): () => void {
  const onException = (error: unknown) => {
    logger.error({ err: error, event: 'uncaught_exception' }, 'an error escaped its request (the gateway keeps running)');
  };
  const onRejection = (reason: unknown) => {
    logger.error({ err: reason, event: 'unhandled_rejection' }, 'a promise failed with nobody waiting for it (the gateway keeps running)');
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
