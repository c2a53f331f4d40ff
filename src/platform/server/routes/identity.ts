/**
 * Identity over HTTP. Eyes come as base64 images (encoded here: quality gates, then the
 * presentation-attack check) or as open-iris template JSON (encoded on the device):
 * `POST /v1/identity/enroll` (a person id, left and right eye: enrolled exactly once, or 409
 * DUPLICATE naming who they already are), `POST /v1/identity/verify` (a person id and one eye:
 * match or not) and `POST /v1/identity/search` (one eye: the closest enrolled persons).
 */
import { z } from 'zod';
import { IriskError } from '../../../lib/errors.js';
import { decodeGray } from '../../../lib/image.js';
import type { Gallery } from '../../../identity/gallery/gallery.js';
import type { PipelineConfig } from '../../../identity/iris/config.js';
import { encodeImage, type PipelineTrace } from '../../../identity/iris/pipeline.js';
import { deserializeTemplate, type IrisTemplate } from '../../../identity/iris/template.js';
import { padVerdictOf, requireBonaFide } from '../../../identity/pad/check.js';
import type { PadDetector } from '../../../identity/pad/detector.js';
import type { RouteSpec } from '../app.js';
import type { AuditLog } from '../audit.js';

/** One eye: a base64 image (PNG, JPEG, ...) or a template object. */
const eyeSchema = z.union([z.object({ image: z.base64().min(1) }).strict(), z.object({ template: z.record(z.string(), z.unknown()) }).strict()]);
const enrollBody = z.object({ personId: z.string().min(1).max(256), left: eyeSchema, right: eyeSchema }).strict();
const verifyBody = z.object({ personId: z.string().min(1).max(256), eye: eyeSchema, side: z.enum(['left', 'right']).optional() }).strict();
const searchBody = z.object({ eye: eyeSchema, top: z.number().int().min(1).max(100).optional() }).strict();

/** What the identity routes need: the open gallery, the pipeline config, and the PAD detector (or why there is none). */
export interface IdentityDeps {
  gallery: Gallery;
  pipeline: PipelineConfig;
  pad: PadDetector | { missing: IriskError };
}

/** Monitored measurements of an eye: the quality gates' inputs and the PAD score. */
type EyeMetrics = Record<string, number | null>;

/** An eye as a template, with the PAD verdict and quality when it came as an image; `metrics` is filled as far as encoding got. */
async function eyeTemplate(eye: z.infer<typeof eyeSchema>, what: string, deps: IdentityDeps, metrics: EyeMetrics = {}): Promise<{ template: IrisTemplate; pad: { score: number; threshold: number } | null }> {
  if ('template' in eye) return { template: deserializeTemplate(eye.template, what), pad: null };
  if ('missing' in deps.pad) throw new IriskError('STORE_UNAVAILABLE', `images cannot be checked for presentation attacks: ${deps.pad.missing.message}`, { locked: false });
  const image = await decodeGray(Buffer.from(eye.image, 'base64'), what);
  let trace: PipelineTrace | null = null;
  let result;
  try {
    result = encodeImage(image, deps.pipeline, { onTrace: (t) => (trace = t) });
  } finally {
    const q = (trace as PipelineTrace | null)?.metrics;
    if (q) Object.assign(metrics, { visibleFraction: q.visibleFraction, unmaskedBitFraction: q.unmaskedBitFraction });
  }
  const verdict = padVerdictOf(deps.pad, trace!.image!, result, trace);
  metrics.padScore = Math.max(metrics.padScore ?? -Infinity, verdict.score);
  requireBonaFide(verdict, what, deps.pad);
  return { template: result.template, pad: { score: verdict.score, threshold: verdict.threshold } };
}

/** How a refused enrolment is audited: a duplicate (naming whom), an attack, or a capture the quality gates rejected (failure to enrol). */
function enrolFailure(e: IriskError): { outcome: string; ref?: string } {
  if (e.code === 'DUPLICATE') return { outcome: 'duplicate', ref: String(e.details.personId) };
  if (e.code === 'PAD_ATTACK_SUSPECTED') return { outcome: 'attack' };
  if (e.code.startsWith('IRIS_') || e.code.startsWith('IMAGE_')) return { outcome: 'rejected' };
  return { outcome: 'error' };
}

/** The identity routes. */
export function identityRoutes(deps: IdentityDeps, audit: AuditLog): RouteSpec<z.ZodType>[] {
  return [
    {
      method: 'POST',
      url: '/v1/identity/enroll',
      summary: 'Enrol a person (left and right eye) unless already enrolled under any id (409 DUPLICATE names them)',
      roles: ['enroll', 'admin'],
      body: enrollBody,
      handler: async ({ body, caller }) => {
        const b = body as z.infer<typeof enrollBody>;
        const metrics: EyeMetrics = {};
        const base = { action: 'identity.enroll', caller: caller?.name ?? null, subject: b.personId };
        try {
          const [left, right] = [await eyeTemplate(b.left, 'the left eye', deps, metrics), await eyeTemplate(b.right, 'the right eye', deps, metrics)];
          const person = await deps.gallery.enroll(b.personId, left.template, right.template);
          audit.record({ ...base, outcome: 'enrolled', metrics: { ...metrics, nearestDistance: person.nearestDistance } });
          return { enrolled: true, personId: person.personId, nearestDistance: person.nearestDistance, pad: { left: left.pad, right: right.pad } };
        } catch (e) {
          if (e instanceof IriskError) audit.record({ ...base, ...enrolFailure(e), code: e.code, metrics });
          throw e;
        }
      },
    },
    {
      method: 'POST',
      url: '/v1/identity/verify',
      summary: 'Is this eye the enrolled person? (1:1, either enrolled eye unless side is given)',
      roles: ['enroll', 'admin'],
      body: verifyBody,
      handler: async ({ body, caller }) => {
        const b = body as z.infer<typeof verifyBody>;
        const eye = await eyeTemplate(b.eye, 'the eye', deps);
        const hit = deps.gallery.verify(b.personId, eye.template, b.side);
        audit.record({ action: 'identity.verify', caller: caller?.name ?? null, subject: b.personId, outcome: hit.match ? 'match' : 'no match' });
        return { ...hit, threshold: deps.gallery.policy.threshold, pad: eye.pad };
      },
    },
    {
      method: 'POST',
      url: '/v1/identity/search',
      summary: 'The enrolled persons closest to one eye (either enrolled eye)',
      roles: ['enroll', 'admin'],
      body: searchBody,
      handler: async ({ body }) => {
        const b = body as z.infer<typeof searchBody>;
        const eye = await eyeTemplate(b.eye, 'the eye', deps);
        return { hits: await deps.gallery.search(eye.template, b.top ?? 5), threshold: deps.gallery.policy.threshold, pad: eye.pad };
      },
    },
  ];
}
