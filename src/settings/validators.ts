/**
 * The rules a setting's value must follow, one definition each, shared by the action's inputs (settings/inputs.ts),
 * the CLI's flags (cli/context.ts) and, where it has the same setting, the login function. Each error names the
 * setting in its reader's words (util/audience.ts): `Input "verify" must be one of …` in the action,
 * `--verify must be one of …` in the CLI. They throw UserErrors; the CLI turns them into usage errors (exit 64).
 */
import { settingSubject } from '../util/audience.js';
import type { SettingRef } from '../util/audience.js';
import { DURATION_LIMITS, parseDuration } from '../util/duration.js';
import type { DurationSetting } from '../util/duration.js';
import { UserError } from '../util/errors.js';
import { DEFAULT_SCHWAB_BASE_URL } from '../schwab/urls.js';

/** One of a fixed set of values, case-insensitively. */
export function readChoice<T extends string>(setting: SettingRef, value: string, choices: readonly T[]): T {
  const found = choices.find((choice) => choice === value.toLowerCase());
  if (!found) throw new UserError(`${settingSubject(setting)} must be one of ${choices.join(', ')}.`);
  return found;
}

/** An http(s) URL without its trailing `/`, or undefined when `value` is not one. */
export function normalizeHttpUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return url.toString().replace(/\/+$/, '');
}

/** An API's base URL (Schwab's, a proxy's, a test fake's): http(s), returned without its trailing `/`. */
export function readHttpUrl(setting: SettingRef, value: string, example = DEFAULT_SCHWAB_BASE_URL): string {
  const url = normalizeHttpUrl(value);
  if (url !== undefined) return url;
  if (!URL.canParse(value)) throw new UserError(`${settingSubject(setting)} is not a URL: use one like ${example}.`);
  throw new UserError(`${settingSubject(setting)} must be an http(s) URL, like ${example}.`);
}

/** The shape of an AWS region name: `us-east-1`, `eu-west-2`, `us-gov-west-1`. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** An AWS region name, checked for shape only (the SDK says whether it exists). */
export function readRegion(setting: SettingRef, value: string): string {
  if (!AWS_REGION_PATTERN.test(value)) {
    throw new UserError(`${settingSubject(setting)} is not an AWS region name: use one like us-east-1 or eu-west-2.`);
  }
  return value;
}

/** A duration (`25m`, `48h`, `1h30m`) in milliseconds, within the bounds DURATION_LIMITS sets for this setting. */
export function readDuration(setting: DurationSetting, value: string): number {
  return parseDuration(value, settingSubject(setting), DURATION_LIMITS[setting]);
}
