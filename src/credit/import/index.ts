/**
 * Import of real tabular credit datasets (one row per customer) into the event store and the label
 * store through a mapping config. See docs/credit-import.md.
 */
export { validateMapping, resolveColumn, normaliseColumnName, parseDuration, ROW_EVENT_TYPES } from './mapping.js';
export type { ImportMapping, EventMapping, MonthlyMapping, FormatMapping, FieldSource, ColumnRef, RowEventType } from './mapping.js';
export { BUILTIN_MAPPINGS, GMSC_MAPPING, MONTHLY_PANEL_MAPPING, loadMapping } from './builtin.js';
export { bindMapping, RowRejected } from './convert.js';
export type { BoundMapping, ConvertedRow } from './convert.js';
export { parseTable, detectDelimiter } from './table.js';
export type { Table, TableRow, TableOptions } from './table.js';
export { ensureLabelStore, insertLabels, readLabels, listLabelledDatasets, recordDataset } from './labels.js';
export type { LabelPoint, LabelledDataset } from './labels.js';
export { GMSC_VIEW, PANEL_VIEW } from './views.js';
export { importTable } from './import.js';
export type { ImportOptions, ImportProgress, ImportReport } from './import.js';
