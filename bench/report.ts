/** Benchmark output: one JSON object per line, optionally with a baseline from the same run. */

/** One measurement. */
export interface BenchLine {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: string;
  baselineValue?: number;
  ratio?: number;
  budget?: number;
  withinBudget?: boolean;
  note?: string;
}

/** Prints one measurement as a JSON line; ratio = baselineValue / value for times (speed-up), as given otherwise. */
export function report(line: BenchLine): void {
  const out: BenchLine = { ...line, value: round(line.value) };
  if (line.baselineValue !== undefined) out.baselineValue = round(line.baselineValue);
  if (line.ratio !== undefined) out.ratio = round(line.ratio);
  process.stdout.write(JSON.stringify(out) + '\n');
}

function round(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v * 10) / 10 : Math.round(v * 1e4) / 1e4;
}

/** Percentile (0..1) of a list of numbers. */
export function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
}
