/** Time and waiting are injected everywhere, so tests run a week of schedules without sleeping. */
export interface Clock {
  now(): Date;
}

export type Sleep = (ms: number) => Promise<void>;

export const systemClock: Clock = { now: () => new Date() };

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
