// The last upstream failure seen per provider instance (and per credential), for the admin API's
// "last error": when, which credential, the status and the message — already redacted, never a
// secret. In memory, like the credential states; it only describes this gateway's recent past.

export interface FailureNote {
  at: number;
  /** The credential's id (`api_keys[0]`, `runtime:team-a`, `account:work`). */
  credential: string;
  status?: number;
  message: string;
}

export class LastFailures {
  private readonly byInstance = new Map<string, FailureNote>();
  private readonly byCredential = new Map<string, FailureNote>();

  record(instance: string, note: FailureNote): void {
    this.byInstance.set(instance, note);
    this.byCredential.set(`${instance}\u0000${note.credential}`, note);
  }

  ofInstance(instance: string): FailureNote | undefined {
    return this.byInstance.get(instance);
  }

  ofCredential(instance: string, credential: string): FailureNote | undefined {
    return this.byCredential.get(`${instance}\u0000${credential}`);
  }
}
