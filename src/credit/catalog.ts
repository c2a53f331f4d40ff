/**
 * The feature views irisk knows by name: the lending view and the views of imported datasets. A
 * model records the name and version of the view it was trained on; serving looks the view up here.
 */
import { IriskError } from '../lib/errors.js';
import type { FeatureView } from './features/definitions.js';
import { UNDERWRITING_VIEW } from './features/views.js';
import { GMSC_VIEW, PANEL_VIEW } from './import/views.js';

const VIEWS: readonly FeatureView[] = [UNDERWRITING_VIEW, GMSC_VIEW, PANEL_VIEW];

/** Every known view. */
export function featureViews(): readonly FeatureView[] {
  return VIEWS;
}

/** True when a view of this name exists. */
export function isFeatureViewName(name: unknown): name is string {
  return VIEWS.some((v) => v.name === name);
}

/** A view by name (and version, when given); CONFIG_INVALID naming the known ones otherwise. */
export function featureView(name: string, version?: number): FeatureView {
  const view = VIEWS.find((v) => v.name === name && (version === undefined || v.version === version));
  if (!view) {
    const known = VIEWS.map((v) => `${v.name} v${v.version}`).join(', ');
    throw new IriskError('CONFIG_INVALID', `unknown feature view ${name}${version === undefined ? '' : ` v${version}`} (known: ${known})`);
  }
  return view;
}

/** The view a registered model was trained on, from its params (`view`, `viewVersion`); the lending view when absent. */
export function viewOfModel(params: Record<string, unknown>): FeatureView {
  const name = typeof params.view === 'string' ? params.view : UNDERWRITING_VIEW.name;
  return featureView(name, typeof params.viewVersion === 'number' ? params.viewVersion : undefined);
}
