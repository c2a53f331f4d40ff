/**
 * A delimited-text reader for import files that keeps the line of every row, so a bad row can be
 * reported where a person will find it and skipped while the rest is kept. RFC 4180 quoting
 * (quoted fields may hold the delimiter, doubled quotes and newlines), a UTF-8 byte-order mark,
 * CRLF or LF line ends; blank lines are skipped. With the delimiter `' '` fields are separated by
 * runs of spaces (the layout of whitespace-separated files such as the German credit data).
 */
import { IriskError } from '../../lib/errors.js';

/** One data row: its 1-based line in the file (where it starts) and its cells. */
export interface TableRow {
  readonly line: number;
  readonly cells: string[];
}

/** A parsed file: the header (trimmed names) and the data rows (each as read; widths may differ). */
export interface Table {
  readonly header: string[];
  readonly rows: TableRow[];
  /** The delimiter used (after `auto` detection). */
  readonly delimiter: string;
}

/** Options of `parseTable`. */
export interface TableOptions {
  delimiter?: 'auto' | ',' | ';' | '\t' | '|' | ' ';
  /** First line is the header (default true); else `columns` names the columns. */
  header?: boolean;
  columns?: readonly string[];
  /** Name used in messages. */
  source?: string;
}

/** The delimiter of a header line: the most frequent of `,` `;` tab `|` outside quotes (`,` on a tie or none). */
export function detectDelimiter(firstLine: string): ',' | ';' | '\t' | '|' {
  const counts = { ',': 0, ';': 0, '\t': 0, '|': 0 } as Record<string, number>;
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch]!++;
  }
  let best: ',' | ';' | '\t' | '|' = ',';
  for (const d of [';', '\t', '|'] as const) if (counts[d]! > counts[best]!) best = d;
  return best;
}

/** Parses the text of a delimited file; see the module comment. Throws DATASET_INVALID for an empty file or an unterminated quote. */
export function parseTable(text: string, options: TableOptions = {}): Table {
  const source = options.source ?? 'file';
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let delimiter: string = options.delimiter ?? 'auto';
  if (delimiter === 'auto') {
    const nl = body.search(/\r|\n/);
    delimiter = detectDelimiter(nl < 0 ? body : body.slice(0, nl));
  }
  const rows = delimiter === ' ' ? splitSpaces(body) : splitDelimited(body, delimiter.charCodeAt(0), source);
  const withHeader = options.header !== false;
  let header: string[];
  if (withHeader) {
    const first = rows.shift();
    if (!first) throw new IriskError('DATASET_INVALID', `${source} is empty: expected a header line and data rows`, { file: source });
    header = first.cells.map((h) => h.trim());
  } else {
    if (!options.columns || options.columns.length === 0) throw new IriskError('DATASET_INVALID', `${source}: a file without a header needs column names`, { file: source });
    header = [...options.columns];
  }
  if (rows.length === 0) throw new IriskError('DATASET_INVALID', `${source} has no data rows`, { file: source });
  return { header, rows, delimiter };
}

function splitDelimited(body: string, delim: number, source: string): TableRow[] {
  const rows: TableRow[] = [];
  const n = body.length;
  let line = 1;
  let i = 0;
  while (i < n) {
    const startLine = line;
    const cells: string[] = [];
    // One record: fields until an unquoted line end or the end of the text.
    for (;;) {
      let field: string;
      if (body.charCodeAt(i) === 34 /* " */) {
        let out = '';
        let j = i + 1;
        for (;;) {
          const q = body.indexOf('"', j);
          if (q < 0) throw new IriskError('DATASET_INVALID', `${source} line ${startLine}: unterminated quoted field`, { file: source, line: startLine });
          const chunk = body.slice(j, q);
          for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
          out += chunk;
          if (body.charCodeAt(q + 1) === 34) {
            out += '"';
            j = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        // Text between the closing quote and the delimiter (malformed, kept as written).
        let k = i;
        while (k < n && body.charCodeAt(k) !== delim && body.charCodeAt(k) !== 10 && body.charCodeAt(k) !== 13) k++;
        field = k > i ? out + body.slice(i, k) : out;
        i = k;
      } else {
        let k = i;
        while (k < n) {
          const c = body.charCodeAt(k);
          if (c === delim || c === 10 || c === 13) break;
          k++;
        }
        field = body.slice(i, k);
        i = k;
      }
      cells.push(field);
      if (i < n && body.charCodeAt(i) === delim) {
        i++;
        continue;
      }
      break;
    }
    // At a line end (or the end of the text).
    if (i < n) {
      if (body.charCodeAt(i) === 13 && body.charCodeAt(i + 1) === 10) i++;
      i++;
      line++;
    }
    if (!(cells.length === 1 && cells[0]!.trim() === '')) rows.push({ line: startLine, cells });
  }
  return rows;
}

function splitSpaces(body: string): TableRow[] {
  const rows: TableRow[] = [];
  body.split(/\r?\n|\r/).forEach((text, k) => {
    const t = text.trim();
    if (t !== '') rows.push({ line: k + 1, cells: t.split(/ +/) });
  });
  return rows;
}
