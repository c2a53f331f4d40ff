/**
 * Typed errors with stable codes. Every failure a user can cause (bad input, poor quality)
 * is an IriskError; the CLI and HTTP boundaries map its kind to an exit code or status.
 */

/** How a failure is reported at the boundary: bad usage, rejected input, or our own fault. */
export type ErrorKind = 'usage' | 'input' | 'internal';

/** Stable error codes. Add new codes here; never rename one that has shipped. */
export const ERROR_CODES = {
  USAGE: 'usage',
  IMAGE_UNREADABLE: 'input',
  IMAGE_EMPTY: 'input',
  IMAGE_TOO_SMALL: 'input',
  IMAGE_TOO_LARGE: 'input',
  IMAGE_BIT_DEPTH: 'input',
  IMAGE_NOT_GRAYSCALE: 'input',
  FILE_NOT_FOUND: 'input',
  DATASET_INVALID: 'input',
  TEMPLATE_INVALID: 'input',
  TEMPLATE_INCOMPATIBLE: 'input',
  CONFIG_INVALID: 'input',
  MODEL_INVALID: 'input',
  IRIS_PUPIL_NOT_FOUND: 'input',
  IRIS_NOT_FOUND: 'input',
  IRIS_EYE_CLOSED: 'input',
  IRIS_OFFGAZE: 'input',
  IRIS_PUPIL_RATIO: 'input',
  IRIS_TOO_SMALL: 'input',
  IRIS_OCCLUDED: 'input',
  IRIS_BLURRY: 'input',
  IRIS_TOO_FEW_BITS: 'input',
  XGBOOST_UNAVAILABLE: 'internal',
  XGBOOST_FAILED: 'internal',
  STORE_UNAVAILABLE: 'input',
  MODEL_VERSION_NOT_FOUND: 'input',
  MODEL_ALIAS_NOT_FOUND: 'input',
  MODEL_REF_AMBIGUOUS: 'input',
  REGISTRY_INVALID: 'input',
  REGISTRY_CORRUPT: 'input',
  EVENT_SCHEMA: 'input',
  EVENT_FILE_FORMAT: 'input',
  EVENT_FILE_UNREADABLE: 'input',
  DECISION_NOT_FOUND: 'input',
  PAD_ATTACK_SUSPECTED: 'input',
  DUPLICATE: 'input',
  PERSON_EXISTS: 'input',
  PERSON_NOT_FOUND: 'input',
  STORE_CORRUPT: 'input',
  INTERNAL: 'internal',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error a person can act on: a stable code, a message, and optional machine-readable details. */
export class IriskError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'IriskError';
    this.code = code;
    this.details = details;
  }

  get kind(): ErrorKind {
    return ERROR_CODES[this.code];
  }

  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `e` is an IriskError, optionally with the given code. */
export function isIriskError(e: unknown, code?: ErrorCode): e is IriskError {
  return e instanceof IriskError && (code === undefined || e.code === code);
}

/** Process exit code for an error: 2 usage, 3 rejected input, 1 anything else. */
export function exitCodeFor(e: unknown): number {
  if (!(e instanceof IriskError)) return 1;
  switch (e.kind) {
    case 'usage':
      return 2;
    case 'input':
      return 3;
    default:
      return 1;
  }
}
