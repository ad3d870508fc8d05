/** The job summary's headline: a failed run never says healthy; the run's outcome and the token's health are apart. */
import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../src/action/summary.js';
import { runStatus } from '../../src/run/rotation.js';
import type { RotationResult } from '../../src/run/rotation.js';
import { assessHealth } from '../../src/token/health.js';
import { sampleRecord } from '../token/samples.js';

const NOW = new Date('2026-11-21T12:10:00Z');
const DAY = 86_400_000;

function result(overrides: Partial<RotationResult>): RotationResult {
  const record = sampleRecord();
  const base = {
    healthKnown: true,
    health: assessHealth(record, NOW, 2 * DAY),
    record,
    chosenFrom: 'AWS secret "s"',
    refreshed: false,
    schwabRejected: false,
    action: 'Not refreshed: the refresh failed; no store was changed.',
    stores: [],
    failures: [],
    warnings: [],
    ...overrides,
  };
  return { ...base, status: runStatus(base) };
}

describe('runStatus', () => {
  it('is the token health for a run that did its job, error for a failed one, reauth-required whenever the token is dead', () => {
    expect(result({}).status).toBe('healthy');
    expect(result({ failures: [{ kind: 'schwab', message: 'Schwab could not be reached.' }] }).status).toBe('error');
    expect(
      result({ failures: [{ kind: 'store-unreadable', message: 'x.' }], healthKnown: false, record: undefined }).status,
    ).toBe('error');
    const dead = { ...assessHealth(sampleRecord(), NOW, 2 * DAY), status: 'reauth-required' as const };
    expect(
      result({ failures: [{ kind: 'schwab-rejected', message: 'Schwab rejected the refresh token.' }], health: dead })
        .status,
    ).toBe('reauth-required');
    expect(result({ failures: [{ kind: 'deadline-passed', message: 'The refresh token expired.' }] }).status).toBe(
      'reauth-required',
    );
  });
});

describe('renderSummary', () => {
  it("says the run failed first, and the refresh token's health on its own line", () => {
    const markdown = renderSummary(
      result({ failures: [{ kind: 'app-credentials', message: 'Schwab rejected the app key or secret (HTTP 401).' }] }),
      NOW,
    );
    expect(markdown).toContain('| Status | ❌ the run failed: see the problems below |');
    expect(markdown).toContain('| Refresh token | 🟢 healthy |');
    expect(markdown).toContain('### Problems\n\n- Schwab rejected the app key or secret (HTTP 401).');
    expect(markdown).not.toContain('| Status | 🟢');
  });

  it('keeps the one-line headline for a run that did its job', () => {
    const markdown = renderSummary(result({}), NOW);
    expect(markdown).toContain('| Status | 🟢 healthy |');
    expect(markdown).not.toContain('| Refresh token |');
  });
});
