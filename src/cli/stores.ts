import { githubSecretsMirror } from '../stores/github-secrets.js';
import { secretsManagerPrimary } from '../stores/secrets-manager.js';
import { SECRET_NAME_PATTERN, parseSecretTargets } from '../github/secret-targets.js';
import type { MirrorStore, PrimaryStore } from '../run/stores.js';
import { UserError } from '../util/errors.js';
import { upperFirst } from '../util/text.js';
import type { CommandSpec, OptionSpec, ParsedOptions } from './args.js';
import { stringOption } from './args.js';
import type { CommandContext } from './context.js';
import { regionOption } from './context.js';
import { UsageError } from './errors.js';
import { TokenFile } from '../stores/token-file.js';

export const DEFAULT_TOKEN_FILE = 'schwab_token.json';

/** --aws-region, beside --aws-secret-id. */
export const AWS_REGION_OPTION: OptionSpec = {
  type: 'string',
  value: 'REGION',
  description: "The secret's region (default: AWS_REGION, then the SDK's own lookup).",
};

/** The options of a command that works on one primary store (see openPrimaryStore): `verb` says what it does to it. */
export function primaryStoreOptions(verb: 'read' | 'refresh'): Record<string, OptionSpec> {
  return {
    file: { type: 'string', value: 'PATH', default: DEFAULT_TOKEN_FILE, description: `The token file to ${verb}.` },
    'aws-secret-id': {
      type: 'string',
      value: 'ID',
      description: `${upperFirst(verb)} this Secrets Manager secret (name or ARN) instead of a file.`,
    },
    'aws-region': AWS_REGION_OPTION,
  };
}

export interface OpenedStore {
  store: PrimaryStore;
  kind: 'file' | 'aws';
}

/**
 * The store a command reads and writes: `--aws-secret-id` (Secrets Manager, the action's compare-and-set store),
 * else `--file` (default schwab_token.json). Both at once is a usage error: one command works on one store.
 */
export async function openPrimaryStore(
  context: CommandContext,
  values: ParsedOptions,
  spec: CommandSpec,
): Promise<OpenedStore> {
  const { env } = context.io;
  const secretId = stringOption(values, spec, 'aws-secret-id', env);
  const file = stringOption(values, spec, 'file', env);
  const region = regionOption(values, spec, env);
  if (secretId !== undefined && file !== undefined) {
    throw new UsageError(`${spec.name} works on one store: give --file or --aws-secret-id, not both.`);
  }
  if (secretId !== undefined) {
    return { store: await secretsManagerPrimary(secretId, region, context.logger, context.io.tuning), kind: 'aws' };
  }
  if (region !== undefined) throw new UsageError('--aws-region only goes with --aws-secret-id.');
  const path = file ?? DEFAULT_TOKEN_FILE;
  return { store: new TokenFile(context.resolvePath(path), { label: `file ${path}` }), kind: 'file' };
}

const REPO_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}(?:@[^:\s]{1,255})?$/;

/**
 * A GitHub Actions secret as a copy of the record: `--github-repo owner/repo` (or `owner/repo@environment`) and
 * `--github-secret-name NAME`, written by the action's own GitHub secrets mirror (Octokit and libsodium load on the
 * write). The token comes from GH_TOKEN, else GITHUB_TOKEN; the API is GITHUB_API_URL's, as in the action.
 */
export function openGitHubSecret(context: CommandContext, repo: string, name: string): MirrorStore {
  const { env } = context.io;
  if (!REPO_PATTERN.test(repo)) {
    throw new UsageError(
      `--github-repo "${repo}" is not a repository: write owner/repo, or owner/repo@environment for an ` +
        `environment secret.`,
    );
  }
  if (!SECRET_NAME_PATTERN.test(name) || /^GITHUB_/i.test(name)) {
    throw new UsageError(
      `--github-secret-name "${name}" is not a valid secret name: use letters, digits and underscores, not ` +
        `starting with a digit or GITHUB_ (for example SCHWAB_TOKEN).`,
    );
  }
  const token = env.GH_TOKEN?.trim() || env.GITHUB_TOKEN?.trim();
  context.logger.mask(token);
  if (!token) {
    throw new UserError(
      'Writing a GitHub secret needs a token in GH_TOKEN or GITHUB_TOKEN: export a fine-grained token with the ' +
        '"Secrets: read and write" permission on the repository (or run `export GH_TOKEN=$(gh auth token)`).',
    );
  }
  const targets = parseSecretTargets(`${repo}:${name}`, undefined, '--github-repo/--github-secret-name');
  const mirror = githubSecretsMirror(
    targets,
    token,
    context.logger,
    context.io.tuning,
    'the token in GH_TOKEN (or GITHUB_TOKEN)',
  );
  return {
    ...mirror,
    async write(text) {
      return (await mirror.write(text)).map((result) => ({
        ...result,
        detail: result.ok ? `written (${result.detail.replace(/\.$/, '')})` : result.detail,
      }));
    },
  };
}
