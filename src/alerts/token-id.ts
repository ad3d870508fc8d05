/**
 * The default `token-id`: what names the token in the alert issue and its marker when the input is not set.
 * The AWS secret's name (an ARN is reduced to the name after `secret:`), else the first GitHub secret's name,
 * else `schwab-token`. Changing it later makes the next run look for (and open) a new issue, so keep it stable.
 */
export function defaultTokenId(awsSecretId: string | undefined, firstGitHubSecretName: string | undefined): string {
  const aws = awsSecretId?.trim();
  if (aws) {
    const arn = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(aws);
    return arn?.[1] ?? aws;
  }
  return firstGitHubSecretName?.trim() || 'schwab-token';
}
