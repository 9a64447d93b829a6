// Where a Kiro login lives: the AWS region of its CodeWhisperer profile
// (`arn:aws:codewhisperer:<region>:<account>:profile/<id>`), which names the API's endpoint;
// us-east-1 when there is no profile ARN (reference/wire-protocols.md §7 "Kiro").
export const KIRO_DEFAULT_REGION = 'us-east-1';

/** An AWS region name, so nothing else ends up inside a host name. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

export function regionOfProfileArn(profileArn: unknown): string | undefined {
  if (typeof profileArn !== 'string') return undefined;
  const region = profileArn.split(':')[3];
  return region && REGION.test(region) ? region : undefined;
}

export function validRegion(region: unknown): string | undefined {
  return typeof region === 'string' && REGION.test(region) ? region : undefined;
}
