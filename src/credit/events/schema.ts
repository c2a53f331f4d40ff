/**
 * The lender's event schema: what happened to a customer, when it happened (event time) and when
 * irisk learnt of it (ingestion time). Point-in-time features use event time; replay and
 * late-arriving data use ingestion time. One flat record per event, with the fields of every type
 * as optional columns, so events sit in one DuckDB table and aggregate without JSON parsing.
 */

/** Every event type a lender records. */
export const EVENT_TYPES = ['application', 'loan', 'installment_due', 'repayment', 'purchase', 'bank_txn', 'bureau'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Channels a purchase or application can come through. */
export const CHANNELS = ['online', 'in_store', 'app'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Fields common to every event. Times are epoch milliseconds, UTC. */
export interface EventBase {
  /** Unique and stable: ingestion is idempotent by this id. */
  readonly eventId: string;
  readonly customerId: string;
  readonly type: EventType;
  readonly eventTime: number;
  /** When the lender learnt of the event (>= eventTime for most sources; set at ingestion when absent). */
  readonly ingestedAt: number;
}

/** A request for credit at checkout. */
export interface ApplicationEvent extends EventBase {
  readonly type: 'application';
  readonly amount: number;
  readonly channel: Channel;
  readonly merchantCategory: string;
  /** Declared monthly income, when asked. */
  readonly income?: number;
  /** Applicant's age in years, when known. */
  readonly age?: number;
  /** Number of dependants, when asked. */
  readonly dependents?: number;
}

/** A loan originated (the unit underwriting labels). */
export interface LoanEvent extends EventBase {
  readonly type: 'loan';
  readonly loanId: string;
  readonly amount: number;
  readonly termMonths: number;
  readonly installments: number;
  readonly merchantCategory: string;
}

/** An installment falls due. */
export interface InstallmentDueEvent extends EventBase {
  readonly type: 'installment_due';
  readonly loanId: string;
  readonly installmentNo: number;
  readonly amount: number;
}

/** A repayment of an installment; daysLate 0 = on time. */
export interface RepaymentEvent extends EventBase {
  readonly type: 'repayment';
  readonly loanId: string;
  readonly installmentNo: number;
  readonly amount: number;
  readonly daysLate: number;
}

/** A purchase with the lender's card or wallet. */
export interface PurchaseEvent extends EventBase {
  readonly type: 'purchase';
  readonly amount: number;
  readonly merchantCategory: string;
  readonly channel: Channel;
}

/** A bank-account transaction (open banking): signed amount (inflow > 0) and the balance after it. */
export interface BankTxnEvent extends EventBase {
  readonly type: 'bank_txn';
  readonly amount: number;
  readonly balance: number;
}

/**
 * A credit-bureau snapshot. Bureaus report different attributes; only the number of open accounts
 * and of delinquencies are always present.
 */
export interface BureauEvent extends EventBase {
  readonly type: 'bureau';
  readonly openAccounts: number;
  readonly delinquencies: number;
  readonly bureauScore?: number;
  readonly inquiries6m?: number;
  readonly totalDebt?: number;
  /** Revolving balances over revolving limits (1 = at the limit; may exceed 1). */
  readonly revolvingUtilization?: number;
  /** Monthly debt payments over monthly income. */
  readonly debtRatio?: number;
  /** Times 30-59, 60-89 and 90+ days past due (bureau history). */
  readonly pastDue30to59?: number;
  readonly pastDue60to89?: number;
  readonly pastDue90Plus?: number;
  readonly realEstateLoans?: number;
}

export type CreditEvent = ApplicationEvent | LoanEvent | InstallmentDueEvent | RepaymentEvent | PurchaseEvent | BankTxnEvent | BureauEvent;

/** How a field is typed and checked. */
export type FieldKind =
  | { kind: 'id' } // non-empty string, at most 128 characters
  | { kind: 'string'; maxLength: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'number'; min?: number; max?: number; integer?: boolean };

/** The payload fields of each type (besides EventBase): name, kind, required. */
export const EVENT_FIELDS: Readonly<Record<EventType, readonly { name: string; type: FieldKind; required: boolean }[]>> = {
  application: [
    { name: 'amount', type: { kind: 'number', min: 0 }, required: true },
    { name: 'channel', type: { kind: 'enum', values: CHANNELS }, required: true },
    { name: 'merchantCategory', type: { kind: 'string', maxLength: 64 }, required: true },
    { name: 'income', type: { kind: 'number', min: 0 }, required: false },
    { name: 'age', type: { kind: 'number', min: 0, max: 150, integer: true }, required: false },
    { name: 'dependents', type: { kind: 'number', min: 0, max: 100, integer: true }, required: false },
  ],
  loan: [
    { name: 'loanId', type: { kind: 'id' }, required: true },
    { name: 'amount', type: { kind: 'number', min: 0 }, required: true },
    { name: 'termMonths', type: { kind: 'number', min: 1, max: 120, integer: true }, required: true },
    { name: 'installments', type: { kind: 'number', min: 1, max: 360, integer: true }, required: true },
    { name: 'merchantCategory', type: { kind: 'string', maxLength: 64 }, required: true },
  ],
  installment_due: [
    { name: 'loanId', type: { kind: 'id' }, required: true },
    { name: 'installmentNo', type: { kind: 'number', min: 1, max: 360, integer: true }, required: true },
    { name: 'amount', type: { kind: 'number', min: 0 }, required: true },
  ],
  repayment: [
    { name: 'loanId', type: { kind: 'id' }, required: true },
    { name: 'installmentNo', type: { kind: 'number', min: 1, max: 360, integer: true }, required: true },
    { name: 'amount', type: { kind: 'number', min: 0 }, required: true },
    { name: 'daysLate', type: { kind: 'number', min: 0, max: 3650, integer: true }, required: true },
  ],
  purchase: [
    { name: 'amount', type: { kind: 'number', min: 0 }, required: true },
    { name: 'merchantCategory', type: { kind: 'string', maxLength: 64 }, required: true },
    { name: 'channel', type: { kind: 'enum', values: CHANNELS }, required: true },
  ],
  bank_txn: [
    { name: 'amount', type: { kind: 'number' }, required: true },
    { name: 'balance', type: { kind: 'number' }, required: true },
  ],
  bureau: [
    { name: 'openAccounts', type: { kind: 'number', min: 0, max: 1000, integer: true }, required: true },
    { name: 'delinquencies', type: { kind: 'number', min: 0, max: 1000, integer: true }, required: true },
    { name: 'bureauScore', type: { kind: 'number', min: 0, max: 1000 }, required: false },
    { name: 'inquiries6m', type: { kind: 'number', min: 0, max: 1000, integer: true }, required: false },
    { name: 'totalDebt', type: { kind: 'number', min: 0 }, required: false },
    { name: 'revolvingUtilization', type: { kind: 'number', min: 0 }, required: false },
    { name: 'debtRatio', type: { kind: 'number', min: 0 }, required: false },
    { name: 'pastDue30to59', type: { kind: 'number', min: 0, max: 1000, integer: true }, required: false },
    { name: 'pastDue60to89', type: { kind: 'number', min: 0, max: 1000, integer: true }, required: false },
    { name: 'pastDue90Plus', type: { kind: 'number', min: 0, max: 1000, integer: true }, required: false },
    { name: 'realEstateLoans', type: { kind: 'number', min: 0, max: 1000, integer: true }, required: false },
  ],
};

/** The column holding a field in tables and files: snake_case (`inquiries6m` -> `inquiries_6m`). */
export function columnName(field: string): string {
  return field.replace(/([A-Z])/g, '_$1').replace(/(\d+)/, '_$1').toLowerCase();
}

/** Orders events as every engine does: event time, then event id. */
export function compareEvents(a: EventBase, b: EventBase): number {
  return a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}
