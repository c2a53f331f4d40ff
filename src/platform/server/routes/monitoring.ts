/**
 * Drift over HTTP: `GET /v1/monitoring/drift?from=T1&to=T2[&window=7d]`: the recorded decisions'
 * features and scores and the enrolment monitors in [from, to) against the window just before, per
 * live window, with the alerts, which are also logged (what `irisk monitor report` prints).
 */
import { z } from 'zod';
import { IriskError } from '../../../lib/errors.js';
import { durationMs } from '../../../lib/time.js';
import { monitorReport } from '../monitor-report.js';
import type { RouteSpec } from '../app.js';

const query = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    window: z.string().regex(/^\d+(m|h|d)$/).optional(),
  })
  .strict();

/** The monitoring routes over the data directory's decision log. */
export function monitoringRoutes(dataDir: string): RouteSpec<z.ZodType>[] {
  return [
    {
      method: 'GET',
      url: '/v1/monitoring/drift',
      summary: 'Drift of recorded decisions (features and score) in [from, to) against the window before, with alerts',
      roles: ['decide', 'admin'],
      handler: async ({ request }) => {
        const q = query.safeParse(request.query);
        if (!q.success) throw new IriskError('USAGE', `query: ${q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        const windowMs = q.data.window === undefined ? undefined : durationMs(q.data.window);
        if (windowMs === null) throw new IriskError('USAGE', 'window must be positive');
        const r = await monitorReport(dataDir, { from: Date.parse(q.data.from), to: Date.parse(q.data.to), ...(windowMs ? { windowMs } : {}) });
        return { ...(r.credit ?? {}), ...r };
      },
    },
  ];
}
