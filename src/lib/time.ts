/** Calendar arithmetic on epoch milliseconds (UTC). */

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

const DURATION_UNITS = { m: 60_000, h: 3_600_000, d: DAY_MS } as const;

/** "30m", "12h", "1.5d" in milliseconds; null unless a positive number of minutes, hours or days. */
export function durationMs(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(m|h|d)$/.exec(text.trim());
  if (!m || !(Number(m[1]) > 0)) return null;
  return Number(m[1]) * DURATION_UNITS[m[2] as keyof typeof DURATION_UNITS];
}

/**
 * The same instant `months` calendar months later (UTC), the day clamped to the target month's
 * length (Jan 31 + 1 month = Feb 28 or 29), the time of day kept.
 */
export function addMonthsUtc(t: number, months: number): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}
