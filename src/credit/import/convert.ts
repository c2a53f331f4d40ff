/**
 * A mapping bound to a file's header: one function that turns a row's cells into the customer id,
 * the label and the raw event records of that row (still to be checked by `validateEvent`), or the
 * reason the row is rejected. Columns are resolved once, here; a column the mapping needs but the
 * file lacks is a DATASET_INVALID error before any row is read.
 */
import { IriskError } from '../../lib/errors.js';
import { addMonthsUtc } from '../../lib/time.js';
import { EVENT_FIELDS, type FieldKind } from '../events/schema.js';
import {
  describeRef,
  instantBefore,
  parseDuration,
  parseIsoWithZone,
  resolveColumn,
  type ColumnRef,
  type EventMapping,
  type FieldSource,
  type ImportMapping,
} from './mapping.js';

/** One row, converted. */
export interface ConvertedRow {
  readonly customerId: string;
  readonly label: 0 | 1;
  /** Raw event records (numbers as numbers, times as epoch ms), in a fixed order. */
  readonly events: Record<string, unknown>[];
  /** Values clamped by a `min` or by `negativeBill: clamp`. */
  readonly clamped: number;
  /** For messages: the column each field of `events[i]` came from. */
  readonly columns: readonly Readonly<Record<string, string>>[];
}

/** A mapping resolved against a header. */
export interface BoundMapping {
  readonly mapping: ImportMapping;
  /** Epoch ms of `asOf`: the time of every label point. */
  readonly asOf: number;
  /** Header columns the mapping does not read (left out of the import). */
  readonly ignoredColumns: readonly string[];
  /** Header width: rows of another width are rejected. */
  readonly width: number;
  /** Converts the cells of one row (1-based data row number for `id: "row"`); throws `RowRejected`. */
  convert(cells: readonly string[], rowNumber: number): ConvertedRow;
}

/** Why a row cannot be imported (caught per row and reported with its line). */
export class RowRejected extends Error {}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

type Getter = (cells: readonly string[], count: { clamped: number }) => number | string | undefined;

/** Binds `mapping` to a file's `header`; `file` names the file in messages. */
export function bindMapping(mapping: ImportMapping, header: readonly string[], file: string, mappingName = mapping.dataset): BoundMapping {
  const asOf = parseIsoWithZone(mapping.asOf);
  if (asOf === null) throw new IriskError('CONFIG_INVALID', `${mappingName}: asOf: not a valid time`);
  const used = new Set<number>();
  const missing = new Set(mapping.format?.missing ?? []);
  const isMissing = (raw: string | undefined): boolean => raw === undefined || missing.has(raw) || missing.has(raw.trim()) || raw.trim() === '';

  const column = (ref: ColumnRef, key: string, optional = false): number => {
    const j = resolveColumn(header, ref, file);
    if (j < 0 && !optional) {
      throw new IriskError(
        'DATASET_INVALID',
        `${file}: no column ${describeRef(ref)}, which mapping ${mappingName} reads for ${key}; the columns are ${header.map((h) => JSON.stringify(h)).join(', ')}`,
        { file, key },
      );
    }
    if (j >= 0) used.add(j);
    return j;
  };
  const name = (j: number): string => header[j] || `(column ${j + 1})`;

  const number = (cells: readonly string[], j: number): number | undefined => {
    const raw = cells[j];
    if (isMissing(raw)) return undefined;
    const t = raw!.trim();
    if (!NUMBER.test(t)) throw new RowRejected(`column "${name(j)}": not a number (got ${JSON.stringify(clip(t))})`);
    const v = Number(t);
    if (!Number.isFinite(v)) throw new RowRejected(`column "${name(j)}": not a finite number (got ${JSON.stringify(clip(t))})`);
    return v;
  };

  /** A getter for one field source, and the column it reads (for messages). */
  const getter = (src: FieldSource, kind: FieldKind, key: string, required: boolean): { get: Getter; column?: string } => {
    const numeric = kind.kind === 'number';
    if (typeof src === 'string' || Array.isArray(src)) return getter({ column: src as ColumnRef }, kind, key, required);
    const s = src as Exclude<FieldSource, ColumnRef>;
    if ('const' in s) {
      const v = s.const;
      return { get: () => v };
    }
    if ('sum' in s) {
      const cols = s.sum.map((r, i) => column(r, `${key}.sum[${i}]`));
      return {
        get: (cells) => {
          let total = 0;
          for (const j of cols) {
            const v = number(cells, j);
            if (v === undefined) return undefined;
            total += v;
          }
          return total;
        },
        column: cols.map(name).join(' + '),
      };
    }
    const j = column(s.column, key, s.optional === true);
    if (j < 0) {
      if (required) throw new IriskError('DATASET_INVALID', `${file}: no column ${describeRef(s.column)}, which mapping ${mappingName} reads for ${key} (a required field, so the column cannot be optional)`, { file, key });
      return { get: () => undefined };
    }
    const map = s.map;
    const scale = s.scale;
    const min = s.min;
    return {
      column: name(j),
      get: (cells, count) => {
        const raw = cells[j];
        if (isMissing(raw)) return undefined;
        let v: number | string;
        if (map) {
          const t = raw!.trim();
          if (!Object.prototype.hasOwnProperty.call(map, t)) throw new RowRejected(`column "${name(j)}": ${JSON.stringify(clip(t))} is not one of the mapped values (${Object.keys(map).slice(0, 10).join(', ')})`);
          v = map[t]!;
        } else v = numeric ? number(cells, j)! : raw!.trim();
        if (typeof v === 'number') {
          if (scale !== undefined) v *= scale;
          if (min !== undefined && v < min) {
            v = min;
            count.clamped++;
          }
        }
        return v;
      },
    };
  };

  // Row events.
  interface BoundEvent {
    readonly mapping: EventMapping;
    readonly time: number;
    readonly fields: { name: string; required: boolean; get: Getter; column?: string }[];
    readonly columns: Record<string, string>;
  }
  const events: BoundEvent[] = mapping.events.map((e, i) => {
    const key = `events[${i}].fields`;
    const fields = EVENT_FIELDS[e.type]
      .filter((f) => f.name in e.fields)
      .map((f) => {
        const g = getter(e.fields[f.name]!, f.type, `${key}.${f.name}`, f.required);
        return { name: f.name, required: f.required, get: g.get, ...(g.column ? { column: g.column } : {}) };
      });
    const columns = Object.fromEntries(fields.flatMap((f) => (f.column ? [[f.name, f.column]] : [])));
    return { mapping: e, time: instantBefore(asOf, parseDuration(e.before)!), fields, columns };
  });

  // Monthly history.
  const m = mapping.monthly;
  const months = m
    ? m.status.map((_, k) => ({
        status: column(m.status[k]!, `monthly.status[${k}]`),
        bill: column(m.bill[k]!, `monthly.bill[${k}]`),
        paid: column(m.paid[k]!, `monthly.paid[${k}]`),
        time: instantBefore(addMonthsUtc(asOf, -k), parseDuration(m.before ?? '1d')!),
      }))
      .map((x) => ({ ...x, dueColumns: { amount: name(x.bill) }, payColumns: { amount: name(x.paid), daysLate: name(x.status) } }))
    : [];
  if (m) {
    const cols = months.flatMap((x) => [x.status, x.bill, x.paid]);
    const dup = cols.find((j, i) => cols.indexOf(j) !== i);
    if (dup !== undefined) throw new IriskError('DATASET_INVALID', `${file}: column "${name(dup)}" is matched by two months of mapping ${mappingName}; list the month columns exactly`, { file });
  }

  // Id and label.
  let idCol = -1;
  if (mapping.id !== undefined && mapping.id !== 'row') idCol = column(mapping.id.column, 'id.column', mapping.id.optional === true);
  const labelCol = column(mapping.label.column, 'label.column');
  if (idCol >= 0 && idCol === labelCol) throw new IriskError('DATASET_INVALID', `${file}: the id column and the label column are the same ("${name(idCol)}")`, { file });
  const values = (v: string | number | readonly (string | number)[] | undefined): string[] | null =>
    v === undefined ? null : (Array.isArray(v) ? v : [v]).map((x) => String(x).trim());
  const positives = values(mapping.label.positive)!;
  const negatives = values(mapping.label.negative);
  // Label values match as text ignoring case (`Yes` = `yes`) or as numbers (`1.0` = `1`).
  const matches = (t: string, list: readonly string[]): boolean =>
    list.some((p) => p.toLowerCase() === t.toLowerCase() || (NUMBER.test(p) && NUMBER.test(t) && Number(p) === Number(t)));

  const prefix = mapping.dataset;
  const perStatus = m?.lateDaysPerStatus ?? 30;
  const clampBills = (m?.negativeBill ?? 'clamp') === 'clamp';
  const loanKey = m?.loan ?? 'loan';
  const ignoredColumns = header.flatMap((h, j) => (used.has(j) ? [] : [name(j)]));

  return {
    mapping,
    asOf,
    ignoredColumns,
    width: header.length,
    convert(cells, rowNumber) {
      if (cells.length !== header.length) throw new RowRejected(`${cells.length} field(s), the header has ${header.length}`);
      // Customer id.
      let id: string;
      if (idCol < 0) id = String(rowNumber).padStart(6, '0');
      else {
        const raw = cells[idCol]!;
        if (isMissing(raw)) throw new RowRejected(`id column "${name(idCol)}" is empty`);
        id = normaliseId(raw.trim());
      }
      const customerId = `${prefix}-${id}`;
      // Label.
      const rawLabel = cells[labelCol]!;
      if (isMissing(rawLabel)) throw new RowRejected(`label column "${name(labelCol)}" is empty`);
      const t = rawLabel.trim();
      let label: 0 | 1;
      if (matches(t, positives)) label = 1;
      else if (negatives === null || matches(t, negatives)) label = 0;
      else throw new RowRejected(`label column "${name(labelCol)}": ${JSON.stringify(clip(t))} is neither a positive (${positives.join(', ')}) nor a negative (${negatives.join(', ')}) value`);

      const count = { clamped: 0 };
      const out: Record<string, unknown>[] = [];
      const columns: Record<string, string>[] = [];
      for (const e of events) {
        const eventId = `${customerId}-${e.mapping.key}`;
        const rec: Record<string, unknown> = { eventId, customerId, type: e.mapping.type, eventTime: e.time };
        if (e.mapping.type === 'loan') rec.loanId = eventId;
        for (const f of e.fields) {
          let v: number | string | undefined;
          try {
            v = f.get(cells, count);
          } catch (err) {
            if (err instanceof RowRejected) throw new RowRejected(`${e.mapping.key}.${f.name}: ${err.message}`);
            throw err;
          }
          if (v === undefined) {
            if (f.required) throw new RowRejected(`${e.mapping.key}.${f.name}: column "${f.column ?? '?'}" is missing, and ${f.name} is required for a ${e.mapping.type} event`);
            continue;
          }
          rec[f.name] = v;
        }
        out.push(rec);
        columns.push(e.columns);
      }
      if (m) {
        const loanId = `${customerId}-${loanKey}`;
        const n = months.length;
        for (let k = 0; k < n; k++) {
          const mo = months[k]!;
          const no = n - k;
          let bill = number(cells, mo.bill);
          if (bill !== undefined) {
            if (bill < 0) {
              if (!clampBills) throw new RowRejected(`column "${name(mo.bill)}": negative bill ${bill} (a credit balance); set monthly.negativeBill to "clamp" to import it as 0`);
              bill = 0;
              count.clamped++;
            }
            const eventId = `${loanId}-due${no}`;
            out.push({ eventId, customerId, type: 'installment_due', eventTime: mo.time, loanId, installmentNo: no, amount: bill });
            columns.push(mo.dueColumns);
          }
          const status = number(cells, mo.status);
          const paid = number(cells, mo.paid);
          if (status !== undefined && !Number.isInteger(status)) throw new RowRejected(`column "${name(mo.status)}": a repayment status must be a whole number (got ${status})`);
          if (status !== undefined && paid !== undefined) {
            const eventId = `${loanId}-pay${no}`;
            out.push({ eventId, customerId, type: 'repayment', eventTime: mo.time, loanId, installmentNo: no, amount: paid, daysLate: status > 0 ? status * perStatus : 0 });
            columns.push(mo.payColumns);
          }
        }
      }
      return { customerId, label, events: out, clamped: count.clamped, columns };
    },
  };
}

/** Ids that are whole numbers are zero-padded to 6 digits (`42`, `42.0` -> `000042`) so they sort in order. */
function normaliseId(t: string): string {
  const m = /^(\d+)(?:\.0+)?$/.exec(t);
  return m ? m[1]!.replace(/^0+(?=\d)/, '').padStart(6, '0') : t;
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '...' : s;
}
