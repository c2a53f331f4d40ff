/** Calendar arithmetic on epoch milliseconds (UTC). */

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

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
