import { expect, it } from 'vitest';

it('training without libxgboost fails with XGBOOST_UNAVAILABLE and says how to install it', async () => {
  process.env.IRISK_XGBOOST_LIB = '/nonexistent/libxgboost.so.0';
  const { trainXgboost } = await import('./train.js');
  const { xgboostAvailable } = await import('./native.js');
  expect(xgboostAvailable()).toBe(false);
  const data = { rows: 2, cols: 1, values: new Float32Array([0, 1]), labels: new Uint8Array([0, 1]), featureNames: ['a'] };
  expect(() => trainXgboost(data)).toThrow(expect.objectContaining({ code: 'XGBOOST_UNAVAILABLE', message: expect.stringContaining('apt-get install libxgboost0') }));
});
