// A login run over the admin API, as the instance running it keeps it: what its flow shows the
// person (the prompt), how it ended, and the account it stored.
import type { Account } from '../../store/account';
import type { LoginPrompt } from './http-login-ui';

export type LoginStatus = 'pending' | 'done' | 'failed';

export interface HttpLogin {
  id: string;
  provider: string;
  accountId: string;
  flow: 'device-code' | 'authorization-code';
  status: LoginStatus;
  startedAt: number;
  /** When a pending login gives up (the device code's expiry, or the paste-back timeout). */
  expiresAt: number;
  prompt: LoginPrompt;
  account?: Account;
  error?: { code: string; message: string };
  finishedAt?: number;
}
