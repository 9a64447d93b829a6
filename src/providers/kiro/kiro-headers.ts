// The headers Kiro's API expects of the Kiro IDE (reference/wire-protocols.md §7 "Kiro"): the
// bearer token, the agent mode and opt-out flags, the AWS SDK's retry headers and its
// User-Agent pair in the KiroIDE style.
import { randomUUID } from 'node:crypto';
import { lowerCaseKeys } from '../../upstream/lower-case-keys';

/** The AWS SDK release and Kiro IDE version the User-Agent names. */
const AWS_SDK_VERSION = '1.0.27';
const KIRO_IDE_VERSION = '0.7.45';

export const KIRO_USER_AGENT = `aws-sdk-js/${AWS_SDK_VERSION} ua/2.1 os/${process.platform} lang/js md/nodejs#${process.versions.node} api/codewhispererstreaming#${AWS_SDK_VERSION} m/E KiroIDE-${KIRO_IDE_VERSION}`;
export const KIRO_AMZ_USER_AGENT = `aws-sdk-js/${AWS_SDK_VERSION} KiroIDE-${KIRO_IDE_VERSION}`;

/** Kiro's identity, the instance's own `headers:` over it, and the credential last. */
export function kiroHeaders(token: string, extra: Record<string, string> | undefined): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: '*/*',
    'x-amzn-kiro-agent-mode': 'vibe',
    'x-amzn-codewhisperer-optout': 'true',
    'amz-sdk-request': 'attempt=1; max=3',
    'amz-sdk-invocation-id': randomUUID(),
    'user-agent': KIRO_USER_AGENT,
    'x-amz-user-agent': KIRO_AMZ_USER_AGENT,
    ...lowerCaseKeys(extra ?? {}),
    authorization: `Bearer ${token}`,
  };
}
