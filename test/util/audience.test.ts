/** Every message in its reader's words: one table of words, chosen by who runs the code (the action or the CLI). */
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  actionAudience,
  cliAudience,
  currentAudience,
  loginCommand,
  npxCommand,
  withAudience,
} from '../../src/util/audience.js';
import { toSecretsManagerError } from '../../src/aws/errors.js';
import type { ErrorContext } from '../../src/aws/errors.js';

const CONTEXT: ErrorContext = {
  operation: 'GetSecretValue',
  secretId: 'prod/schwab',
  region: 'us-east-1',
  endpoint: 'https://secretsmanager.us-east-1.amazonaws.com',
  redact: (text) => text,
};

function awsMessages(): string[] {
  const errors = [
    Object.assign(new Error('Region is missing'), { name: 'Error' }),
    Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'Error', code: 'ECONNREFUSED' }),
  ];
  return errors.map((error) => toSecretsManagerError(error, { ...CONTEXT, region: undefined }).message);
}

describe('the audience', () => {
  it('follows every async call made inside it, and two audiences never mix', async () => {
    const seen = await Promise.all([
      withAudience(cliAudience('node dist/cli.js'), async () => {
        await delay(5);
        return loginCommand(['--out', 'x.json']);
      }),
      withAudience(
        actionAudience({ GITHUB_ACTION_REPOSITORY: 'acme/schwab-token-rotator', GITHUB_ACTION_REF: 'v2' }),
        async () => {
          await delay(1);
          return loginCommand();
        },
      ),
    ]);
    expect(seen).toEqual([
      'node dist/cli.js login --out x.json',
      'npx --yes github:acme/schwab-token-rotator#v2 login',
    ]);
    expect(currentAudience().kind).toBe('action');
  });

  it("runs the CLI from the action's own repository and ref", () => {
    expect(npxCommand('acme/schwab-token-rotator', 'v1')).toBe('npx --yes github:acme/schwab-token-rotator#v1');
    expect(npxCommand('acme/schwab-token-rotator', 'refs/tags/v1.2.3')).toBe(
      'npx --yes github:acme/schwab-token-rotator#v1.2.3',
    );
    expect(npxCommand('acme/schwab-token-rotator', '0123456789abcdef0123456789abcdef01234567')).toBe(
      'npx --yes github:acme/schwab-token-rotator#0123456789abcdef0123456789abcdef01234567',
    );
    expect(npxCommand('acme/schwab-token-rotator', '')).toBe('npx --yes github:acme/schwab-token-rotator');
    expect(npxCommand(undefined)).toBe('npx --yes github:OWNER/schwab-token-rotator#v1');
    expect(npxCommand('not a repo; rm -rf /', 'v1')).toBe('npx --yes github:OWNER/schwab-token-rotator#v1');
  });

  it('AWS errors speak of inputs and the runner in the action', () => {
    const [region, credentials, network] = withAudience(actionAudience({}), awsMessages);
    expect(region).toBe(
      'No AWS region is configured for AWS Secrets Manager secret "prod/schwab": set the `aws-region` input (or AWS_REGION in the workflow).',
    );
    expect(credentials).toMatch(
      /: configure the workflow's AWS credentials \(aws-actions\/configure-aws-credentials\) with secretsmanager:GetSecretValue/,
    );
    expect(network).toMatch(
      /: check the region, the network path from this runner, and AWS_ENDPOINT_URL_SECRETS_MANAGER if it is set\.$/,
    );
  });

  it('AWS errors speak of flags, environment variables and this machine in the CLI', () => {
    const messages = withAudience(cliAudience(), awsMessages);
    const [region, credentials, network] = messages;
    expect(region).toBe(
      'No AWS region is configured for AWS Secrets Manager secret "prod/schwab": set --aws-region (or AWS_REGION).',
    );
    expect(credentials).toMatch(
      /: configure your AWS credentials \(AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\) with /,
    );
    expect(network).toMatch(/the network path from this machine/);
    for (const message of messages) expect(message).not.toMatch(/\binputs?\b|runner|workflow/);
  });
});
