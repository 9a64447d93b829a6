// What a login flow needs from the person in front of it: somewhere to write, a browser to
// open, and (optionally) a line they paste. The CLI implements it on the terminal; the admin
// API records what the flow shows (admin/http-login-ui.ts); tests implement it in memory and
// play the user.

/** What a device login asks the user to do, as data (the same as the printed lines say). */
export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  /** The URL with the code in it, where the provider gives one. */
  verificationUriComplete?: string;
  /** When the code stops working (ms since epoch). */
  expiresAt: number;
}

/** What a browser login asks the user to do, as data. */
export interface AuthorizePrompt {
  authorizeUrl: string;
  /** Where the browser will be sent back; a browser elsewhere shows this address to paste. */
  redirectUri: string;
}

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
  /** Optional: the authorize URL as data, before it is printed (for a UI that is not a terminal). */
  showAuthorizeUrl?(prompt: AuthorizePrompt): void;
  /** Optional: the device code as data, before it is printed. */
  showDeviceCode?(prompt: DeviceCodePrompt): void;
}
