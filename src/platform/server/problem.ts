/**
 * Errors as RFC 9457 problem details (application/problem+json): the typed error code, a title, the
 * message a person can act on, and the HTTP status the code maps to.
 */
import { IriskError, type ErrorCode } from '../../lib/errors.js';

/** The body of an error response. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  details?: Record<string, unknown>;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  USAGE: 400,
  FILE_NOT_FOUND: 404,
  MODEL_VERSION_NOT_FOUND: 404,
  MODEL_ALIAS_NOT_FOUND: 404,
  PERSON_NOT_FOUND: 404,
  DECISION_NOT_FOUND: 404,
  DUPLICATE: 409,
  PERSON_EXISTS: 409,
  MODEL_REF_AMBIGUOUS: 409,
  STORE_UNAVAILABLE: 503,
  XGBOOST_UNAVAILABLE: 503,
};

/** The HTTP status of a typed error: its own where listed, 422 for other rejected input, 500 for our faults. */
export function statusOf(e: IriskError): number {
  return STATUS[e.code] ?? (e.kind === 'internal' ? 500 : 422);
}

/** A problem body for `status` with a stable code. */
export function problem(status: number, code: string, detail: string, details?: Record<string, unknown>): Problem {
  return { type: `https://irisk.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`, title: code.replace(/_/g, ' ').toLowerCase(), status, code, detail, ...(details ? { details } : {}) };
}

/** The problem body of any thrown value (internal errors keep their detail out of the response). */
export function problemOf(e: unknown): Problem {
  if (e instanceof IriskError) return problem(statusOf(e), e.code, e.message, e.details);
  return problem(500, 'INTERNAL', 'an internal error occurred; it has been logged');
}
