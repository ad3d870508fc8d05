import { describe, it, expect } from 'vitest';
import { chooseNewest, compareRecords } from '../../src/token/choose.js';
import { parseTokenRecord } from '../../src/token/parse.js';
import { LAST_REFRESH, LOGIN, RESPONSE_TEXT, sampleRecord } from './samples.js';

const later = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

describe('compareRecords', () => {
  const base = sampleRecord();

  it('is 0 for equal metadata', () => {
    expect(compareRecords(base, sampleRecord())).toBe(0);
  });

  it('puts a newer login first, whatever the refreshes say', () => {
    const newLogin = sampleRecord({ createdAt: later(LOGIN, 60), lastRefresh: later(LOGIN, 60), refreshCount: 0 });
    expect(compareRecords(newLogin, base)).toBeGreaterThan(0);
    expect(compareRecords(base, newLogin)).toBeLessThan(0);
  });

  it('then a newer last refresh', () => {
    const refreshed = sampleRecord({ lastRefresh: later(LAST_REFRESH, 1), refreshCount: 0 });
    expect(compareRecords(refreshed, base)).toBeGreaterThan(0);
    expect(compareRecords(base, refreshed)).toBeLessThan(0);
  });

  it('then a higher refresh count', () => {
    const counted = sampleRecord({ refreshCount: 142 });
    expect(compareRecords(counted, base)).toBeGreaterThan(0);
    expect(compareRecords(base, counted)).toBeLessThan(0);
  });
});

describe('chooseNewest', () => {
  it('is undefined for no candidates', () => {
    expect(chooseNewest([])).toBeUndefined();
  });

  it('picks the newest login, then the newest refresh', () => {
    const candidates = [
      { name: 'input', record: sampleRecord() },
      {
        name: 'aws',
        record: sampleRecord({ createdAt: later(LOGIN, 3600), lastRefresh: later(LOGIN, 3600), refreshCount: 0 }),
      },
      { name: 'file', record: sampleRecord({ lastRefresh: later(LAST_REFRESH, 1500), refreshCount: 142 }) },
    ];
    expect(chooseNewest(candidates)?.name).toBe('aws');
    expect(chooseNewest([candidates[0]!, candidates[2]!])?.name).toBe('file');
  });

  it('is stable: the first of equals wins', () => {
    const candidates = [
      { name: 'first', record: sampleRecord() },
      { name: 'second', record: sampleRecord() },
      { name: 'older', record: sampleRecord({ refreshCount: 1 }) },
    ];
    expect(chooseNewest(candidates)?.name).toBe('first');
    expect(chooseNewest([candidates[2]!, candidates[1]!, candidates[0]!])?.name).toBe('second');
  });
});

describe('compareRecords with an assumed login time', () => {
  it('ranks a record whose login was only assumed below any record with a known login, however old', () => {
    const bare = parseTokenRecord(RESPONSE_TEXT, 'the "token" input', new Date('2026-11-21T12:00:00Z')).record;
    const known = sampleRecord({ createdAt: new Date('2026-11-15T09:00:00Z') });
    expect(compareRecords(known, bare)).toBeGreaterThan(0);
    expect(compareRecords(bare, known)).toBeLessThan(0);
    expect(chooseNewest([{ record: bare }, { record: known }])?.record).toBe(known);
  });
});
