/**
 * The cheap GETs that show a fresh access token works, and the `verify` setting that picks one (docs/design.md#schwab).
 * Never log what they answer.
 */

/** `accounts` needs the Accounts and Trading product; `quotes` works for market-data apps. */
export const PROBE_KINDS = ['accounts', 'quotes'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

export const PROBE_PATHS: Record<ProbeKind, string> = {
  accounts: '/trader/v1/accounts/accountNumbers',
  quotes: '/marketdata/v1/quotes?symbols=SPY',
};

/** The `verify` input and `refresh --verify`: which probe checks a refreshed access token before it is written. */
export const VERIFY_MODES = ['none', ...PROBE_KINDS] as const;
export type VerifyMode = (typeof VERIFY_MODES)[number];
