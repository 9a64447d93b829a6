// What a login flow needs from the person in front of it: somewhere to write, a browser to
// open, and (optionally) a line they paste. The CLI implements it on the terminal; tests
// implement it in memory and play the user.

export interface LoginUi {
  /** Writes one line for the user (the authorize URL, the device code, hints). */
  print(line: string): void;
  /**
   * Replaces the in-place status line (the device flow's countdown). Optional: without it the
   * flow shows no countdown.
   */
  progress?(line: string): void;
  /** Ends the in-place status line, so the next `print` starts on a fresh line. */
  clearProgress?(): void;
  /** Opens the URL in the user's browser; resolves false when that did not work. */
  openBrowser(url: string): Promise<boolean>;
  /**
   * Resolves with the next line the user typed or pasted, or undefined at end of input. The
   * flow calls it again after a line it could not use, and aborts `signal` once it no longer
   * needs input (the browser answered, or it failed), so the CLI can stop reading stdin.
   * Optional: without it, only the loopback callback can finish an authorization-code login.
   */
  readLine?(signal: AbortSignal): Promise<string | undefined>;
}
