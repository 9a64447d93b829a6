// How long Code Assist's project set-up waits: Gemini CLI polls an unfinished onboarding every
// 5 s. A class so it is a DI token a test can replace (or shorten) instead of waiting.
import { Injectable } from '@nestjs/common';

@Injectable()
export class CodeAssistTiming {
  /** Between two polls of an onboarding operation that is not done. */
  pollIntervalMs = 5_000;
  /** Polls before giving up (two minutes at 5 s). */
  maxPolls = 24;
  /** The whole set-up (load, onboard, polls) gives up after this, whoever is waiting for it. */
  setupTimeoutMs = 180_000;

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
