/**
 * XGBoost's C library (Debian package `libxgboost0`), loaded in process with koffi. Only training
 * and the parity checks use it; prediction and explanations run in TypeScript from the JSON model.
 *
 * The library is loaded on first use, so importing this module never fails on a machine without it;
 * the first call then throws XGBOOST_UNAVAILABLE with the command that installs it.
 */
import koffi from 'koffi';
import { IriskError } from '../../../lib/errors.js';

/** Library names tried in order (override with IRISK_XGBOOST_LIB=/path/to/libxgboost.so). */
const LIBRARY_CANDIDATES = ['libxgboost.so.0', 'libxgboost.so', '/usr/lib/x86_64-linux-gnu/libxgboost.so.0', '/usr/lib/aarch64-linux-gnu/libxgboost.so.0'];

/** Opaque handles returned by the C API. */
export type NativeHandle = unknown;

interface XgbApi {
  version(): [number, number, number];
  lastError(): string;
  dmatrixFromMat(data: Float32Array, rows: number, cols: number, missing: number, out: NativeHandle[]): number;
  dmatrixSetFloatInfo(h: NativeHandle, field: string, values: Float32Array, len: number): number;
  dmatrixFree(h: NativeHandle): number;
  boosterCreate(dmats: NativeHandle[], len: number, out: NativeHandle[]): number;
  boosterFree(h: NativeHandle): number;
  boosterSetParam(h: NativeHandle, name: string, value: string): number;
  boosterUpdateOneIter(h: NativeHandle, iter: number, dtrain: NativeHandle): number;
  boosterEvalOneIter(h: NativeHandle, iter: number, dmats: NativeHandle[], names: string[], len: number, out: (string | null)[]): number;
  boosterPredict(h: NativeHandle, dmat: NativeHandle, config: string, shape: unknown[], dim: number[], result: unknown[]): number;
  boosterSaveToBuffer(h: NativeHandle, config: string, len: number[], out: unknown[]): number;
  boosterLoadFromBuffer(h: NativeHandle, buf: Uint8Array, len: number): number;
  boosterSlice(h: NativeHandle, begin: number, end: number, step: number, out: NativeHandle[]): number;
  boosterRounds(h: NativeHandle, out: number[]): number;
}

let api: XgbApi | null = null;
let loadError: string | null = null;

function loadLibrary(): XgbApi {
  const tried: string[] = [];
  const names = process.env.IRISK_XGBOOST_LIB ? [process.env.IRISK_XGBOOST_LIB] : LIBRARY_CANDIDATES;
  for (const name of names) {
    let lib: ReturnType<typeof koffi.load>;
    try {
      lib = koffi.load(name);
    } catch (e) {
      tried.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const handle = koffi.pointer('XgbHandle', koffi.opaque());
    const versionFn = lib.func('void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)');
    return {
      version() {
        const a = [0], b = [0], c = [0];
        versionFn(a, b, c);
        return [a[0]!, b[0]!, c[0]!];
      },
      lastError: lib.func('const char *XGBGetLastError()'),
      dmatrixFromMat: lib.func('int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ XgbHandle *out)'),
      dmatrixSetFloatInfo: lib.func('int XGDMatrixSetFloatInfo(XgbHandle h, const char *field, const float *array, uint64_t len)'),
      dmatrixFree: lib.func('int XGDMatrixFree(XgbHandle h)'),
      boosterCreate: lib.func('int XGBoosterCreate(XgbHandle *dmats, uint64_t len, _Out_ XgbHandle *out)'),
      boosterFree: lib.func('int XGBoosterFree(XgbHandle h)'),
      boosterSetParam: lib.func('int XGBoosterSetParam(XgbHandle h, const char *name, const char *value)'),
      boosterUpdateOneIter: lib.func('int XGBoosterUpdateOneIter(XgbHandle h, int iter, XgbHandle dtrain)'),
      boosterEvalOneIter: lib.func('int XGBoosterEvalOneIter(XgbHandle h, int iter, XgbHandle *dmats, const char **names, uint64_t len, _Out_ const char **out)'),
      boosterPredict: lib.func('int XGBoosterPredictFromDMatrix(XgbHandle h, XgbHandle dmat, const char *config, _Out_ void **shape, _Out_ uint64_t *dim, _Out_ void **result)'),
      boosterSaveToBuffer: lib.func('int XGBoosterSaveModelToBuffer(XgbHandle h, const char *config, _Out_ uint64_t *len, _Out_ void **out)'),
      boosterLoadFromBuffer: lib.func('int XGBoosterLoadModelFromBuffer(XgbHandle h, const void *buf, uint64_t len)'),
      boosterSlice: lib.func('int XGBoosterSlice(XgbHandle h, int begin, int end, int step, _Out_ XgbHandle *out)'),
      boosterRounds: lib.func('int XGBoosterBoostedRounds(XgbHandle h, _Out_ int *out)'),
    } as unknown as XgbApi & { handle: typeof handle };
  }
  loadError = tried.join('; ');
  throw unavailable();
}

function unavailable(): IriskError {
  return new IriskError(
    'XGBOOST_UNAVAILABLE',
    'XGBoost\'s C library (libxgboost.so.0) could not be loaded; training needs it. Install it with ' +
      '`sudo apt-get install libxgboost0` (or run `bash scripts/setup.sh`), or point IRISK_XGBOOST_LIB at the library. ' +
      'Prediction and explanations from a saved model do not need it.',
    { tried: loadError },
  );
}

/** The loaded C API (loads it on first use; throws XGBOOST_UNAVAILABLE when it is not installed). */
export function xgb(): XgbApi {
  if (api) return api;
  if (loadError !== null) throw unavailable();
  api = loadLibrary();
  return api;
}

/** True when libxgboost can be loaded on this machine. */
export function xgboostAvailable(): boolean {
  try {
    xgb();
    return true;
  } catch {
    return false;
  }
}

/** Throws XGBOOST_FAILED with the library's own message when a C call returned non-zero. */
export function check(rc: number, what: string): void {
  if (rc !== 0) {
    throw new IriskError('XGBOOST_FAILED', `XGBoost failed in ${what}: ${xgb().lastError()}`);
  }
}

/** Copies `count` float32 values from a pointer the library owns. */
export function copyFloats(ptr: unknown, count: number): Float32Array {
  if (count === 0) return new Float32Array(0);
  return new Float32Array(koffi.view(ptr, count * 4).slice(0));
}

/** Decodes `count` uint64 values (shapes) from a pointer the library owns. */
export function copyShape(ptr: unknown, count: number): number[] {
  const view = new BigUint64Array(koffi.view(ptr, count * 8).slice(0));
  return Array.from(view, Number);
}

/** Copies `len` bytes from a pointer the library owns. */
export function copyBytes(ptr: unknown, len: number): Uint8Array {
  return new Uint8Array(koffi.view(ptr, len).slice(0));
}
