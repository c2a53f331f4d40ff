/**
 * Thin owners of libxgboost handles (DMatrix, Booster) that free what they allocate. Everything
 * here runs through the C library; `train.ts` and the parity checks are its only users.
 */
import { IriskError } from '../../../lib/errors.js';
import { check, copyBytes, copyFloats, copyShape, xgb, type NativeHandle } from './native.js';

/** A dense float32 matrix handed to libxgboost (NaN = missing), with optional labels. */
export class NativeMatrix {
  readonly handle: NativeHandle;
  private freed = false;

  constructor(values: Float32Array, rows: number, cols: number, labels?: ArrayLike<number>) {
    if (values.length !== rows * cols) throw new IriskError('DATASET_INVALID', `matrix has ${values.length} values, expected ${rows}x${cols}`);
    const out: NativeHandle[] = [null];
    check(xgb().dmatrixFromMat(values, rows, cols, Number.NaN, out), 'XGDMatrixCreateFromMat');
    this.handle = out[0];
    if (labels) {
      try {
        const y = Float32Array.from(labels);
        check(xgb().dmatrixSetFloatInfo(this.handle, 'label', y, y.length), 'XGDMatrixSetFloatInfo(label)');
      } catch (e) {
        this.free();
        throw e;
      }
    }
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    xgb().dmatrixFree(this.handle);
  }
}

/** What libxgboost predicts: 0 probabilities, 1 margins, 2 SHAP contributions (rows x (cols + 1)). */
export type NativePredictKind = 'value' | 'margin' | 'contribs';
const PREDICT_TYPE: Record<NativePredictKind, number> = { value: 0, margin: 1, contribs: 2 };

/** A booster owned by this process. */
export class NativeBooster {
  private handleValue: NativeHandle;
  private freed = false;

  private constructor(handle: NativeHandle) {
    this.handleValue = handle;
  }

  /** A new booster whose cache holds the given matrices (training and evaluation sets). */
  static create(cache: NativeMatrix[]): NativeBooster {
    const out: NativeHandle[] = [null];
    check(xgb().boosterCreate(cache.map((m) => m.handle), cache.length, out), 'XGBoosterCreate');
    return new NativeBooster(out[0]);
  }

  /** A booster loaded from a saved model (XGBoost JSON or its binary format). */
  static load(model: Uint8Array | string): NativeBooster {
    const booster = NativeBooster.create([]);
    const bytes = typeof model === 'string' ? new TextEncoder().encode(model) : model;
    try {
      check(xgb().boosterLoadFromBuffer(booster.handleValue, bytes, bytes.length), 'XGBoosterLoadModelFromBuffer');
    } catch (e) {
      booster.free();
      throw e;
    }
    return booster;
  }

  get handle(): NativeHandle {
    if (this.freed) throw new IriskError('INTERNAL', 'booster used after free');
    return this.handleValue;
  }

  setParam(name: string, value: string): void {
    check(xgb().boosterSetParam(this.handle, name, value), `XGBoosterSetParam(${name})`);
  }

  updateOneIter(iteration: number, train: NativeMatrix): void {
    check(xgb().boosterUpdateOneIter(this.handle, iteration, train.handle), 'XGBoosterUpdateOneIter');
  }

  /** The evaluation line for one iteration, e.g. "[3]\ttrain-logloss:0.41\tvalid-logloss:0.44". */
  evalOneIter(iteration: number, sets: { name: string; matrix: NativeMatrix }[]): string {
    const out: (string | null)[] = [null];
    check(
      xgb().boosterEvalOneIter(this.handle, iteration, sets.map((s) => s.matrix.handle), sets.map((s) => s.name), sets.length, out),
      'XGBoosterEvalOneIter',
    );
    return out[0] ?? '';
  }

  rounds(): number {
    const out = [0];
    check(xgb().boosterRounds(this.handle, out), 'XGBoosterBoostedRounds');
    return out[0]!;
  }

  /** A new booster holding the trees of rounds [begin, end). */
  slice(begin: number, end: number): NativeBooster {
    const out: NativeHandle[] = [null];
    check(xgb().boosterSlice(this.handle, begin, end, 1, out), 'XGBoosterSlice');
    return new NativeBooster(out[0]);
  }

  /** libxgboost's own predictions (used as the oracle for the TypeScript predictor). */
  predict(matrix: NativeMatrix, kind: NativePredictKind): { values: Float32Array; shape: number[] } {
    const config = JSON.stringify({ type: PREDICT_TYPE[kind], training: false, iteration_begin: 0, iteration_end: 0, strict_shape: false });
    const shapePtr: unknown[] = [null];
    const dim = [0];
    const result: unknown[] = [null];
    check(xgb().boosterPredict(this.handle, matrix.handle, config, shapePtr, dim, result), 'XGBoosterPredictFromDMatrix');
    const shape = copyShape(shapePtr[0], dim[0]!);
    const count = shape.reduce((a, b) => a * b, 1);
    return { values: copyFloats(result[0], count), shape };
  }

  /** The model as XGBoost's JSON document. */
  saveJson(): string {
    const len = [0];
    const out: unknown[] = [null];
    check(xgb().boosterSaveToBuffer(this.handle, JSON.stringify({ format: 'json' }), len, out), 'XGBoosterSaveModelToBuffer');
    return new TextDecoder().decode(copyBytes(out[0], Number(len[0])));
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    xgb().boosterFree(this.handleValue);
  }
}
