import type { Logger } from '../util/logger.js';
import type { Tuning } from '../util/tuning.js';
import { githubTuning } from '../util/tuning.js';
import type { MirrorStore } from '../run/stores.js';
import { assertSecretValueFits } from '../github/secret-targets.js';
import type { SecretTarget } from '../github/secret-targets.js';
import { sentence } from '../util/text.js';
import type * as SecretsWriterModule from '../github/secrets-writer.js';

/**
 * GitHub encrypted secrets as a mirror. Octokit and libsodium load on the first write, not before:
 * a run with nothing to write never pays for them.
 */
export function githubSecretsMirror(
  targets: SecretTarget[],
  token: string,
  logger: Logger,
  tuning?: Tuning,
  tokenName?: string,
): MirrorStore {
  // One client and one writer per mirror: the public keys fetched by checkWritable (or prepare) serve the write.
  let loading: Promise<SecretsWriterModule.GitHubSecretsWriter> | undefined;
  const load = () => {
    loading ??= (async () => {
      const [{ createGitHubClient }, { GitHubSecretsWriter, prepareSealedBox }] = await Promise.all([
        import('../github/octokit.js'),
        import('../github/secrets-writer.js'),
      ]);
      const [client] = await Promise.all([
        createGitHubClient({ token, logger, ...githubTuning(tuning) }),
        prepareSealedBox(),
      ]);
      return new GitHubSecretsWriter(client, logger, tokenName);
    })();
    return loading;
  };
  let access: Promise<void> | undefined;
  const checkAccess = () => {
    access ??= load().then((writer) => writer.checkAccess(targets));
    return access;
  };
  return {
    label: targets.length === 1 ? `GitHub secret ${targets[0]?.label}` : `${targets.length} GitHub secrets`,
    check: (text) => assertSecretValueFits(text),
    // Loads Octokit and libsodium and fetches the public keys while Schwab and AWS work; a failure surfaces in write().
    prepare: () => void checkAccess().catch(() => undefined),
    checkWritable: checkAccess,
    async write(text) {
      const results = await (await load()).writeAll(targets, text);
      return results.map((result) => ({
        label: `GitHub secret ${result.target.label}`,
        ok: result.ok,
        detail: result.ok ? (result.status ?? 'written') : sentence(result.error ?? 'the write failed'),
      }));
    },
  };
}
