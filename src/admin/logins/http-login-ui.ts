// The LoginUi of a login run over the admin API: there is no terminal and no browser on the
// server, so instead of printing it records what the flow shows (the authorize URL, or the
// device code) for the HTTP answer, and the "pasted line" of a browser login arrives with
// POST /admin/v1/accounts/logins/{id}/complete.
import type { AuthorizePrompt, DeviceCodePrompt, LoginUi } from '../../auth/login-ui';

export type LoginPrompt = ({ kind: 'authorize' } & AuthorizePrompt) | ({ kind: 'device' } & DeviceCodePrompt);

export class HttpLoginUi implements LoginUi {
  /** Settles with what the user must do, once the flow knows it. */
  readonly prompted: Promise<LoginPrompt>;
  private resolvePrompt!: (prompt: LoginPrompt) => void;
  private readonly pasted: string[] = [];
  private waiting?: (line: string | undefined) => void;

  constructor() {
    this.prompted = new Promise((resolve) => (this.resolvePrompt = resolve));
  }

  /** The flow's lines are for a terminal; the HTTP answer carries the same facts as data. */
  print(): void {}

  async openBrowser(): Promise<boolean> {
    return false;
  }

  showAuthorizeUrl(prompt: AuthorizePrompt): void {
    this.resolvePrompt({ kind: 'authorize', ...prompt });
  }

  showDeviceCode(prompt: DeviceCodePrompt): void {
    this.resolvePrompt({ kind: 'device', ...prompt });
  }

  readLine(signal: AbortSignal): Promise<string | undefined> {
    const next = this.pasted.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (line: string | undefined): void => {
        this.waiting = undefined;
        signal.removeEventListener('abort', onAbort);
        resolve(line);
      };
      const onAbort = (): void => done(undefined);
      this.waiting = done;
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** What the person pasted (the redirected URL), as if typed into `byokey login`. */
  paste(line: string): void {
    if (this.waiting) this.waiting(line);
    else this.pasted.push(line);
  }
}
