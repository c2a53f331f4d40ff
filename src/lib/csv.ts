/**
 * A small RFC 4180 CSV reader and writer (quoted fields, embedded commas, quotes and newlines),
 * enough for manifests and reports.
 */
import { IriskError } from './errors.js';

/**
 * Parses CSV text into a trimmed header and rows of fields (every row as wide as the header).
 * Throws DATASET_INVALID on malformed input.
 */
export function parseCsvRows(text: string, source = 'csv'): { header: string[]; rows: string[][] } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < body.length) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"') {
        if (body[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      field += ch; i++; continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(field); field = ''; i++; continue; }
    if (ch === '\n' || ch === '\r') {
      row.push(field); field = '';
      if (!(row.length === 1 && row[0] === '')) rows.push(row);
      row = [];
      i += ch === '\r' && body[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += ch; i++;
  }
  if (quoted) throw new IriskError('DATASET_INVALID', `${source}: unterminated quoted field`);
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  if (rows.length === 0) throw new IriskError('DATASET_INVALID', `${source} is empty`);
  const header = rows[0]!.map((h) => h.trim());
  const data = rows.slice(1);
  data.forEach((r, k) => {
    if (r.length !== header.length) {
      throw new IriskError('DATASET_INVALID', `${source} line ${k + 2}: ${r.length} fields, header has ${header.length}`, { line: k + 2 });
    }
  });
  return { header, rows: data };
}

/** Parses CSV text into a header and records keyed by header names. Throws DATASET_INVALID on malformed input. */
export function parseCsv(text: string, source = 'csv'): { header: string[]; records: Record<string, string>[] } {
  const { header, rows } = parseCsvRows(text, source);
  const records = rows.map((r) => {
    const rec: Record<string, string> = {};
    header.forEach((h, j) => (rec[h] = r[j]!));
    return rec;
  });
  return { header, records };
}

/** Formats one CSV field, quoting when needed. */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Formats rows as CSV text with a header line. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [header.map(csvField).join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\n') + '\n';
}
