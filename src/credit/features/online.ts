/**
 * The online feature store: each customer's events kept in memory, sorted by (event time, event
 * id), updated as events arrive (late arrivals are inserted in place; a repeated event id is
 * ignored), and features computed on demand with the same arithmetic as the offline engine.
 */
import { compareEvents, type CreditEvent, type EventType } from '../events/schema.js';
import { computeFeatureDetails, computeFeatures, type FeatureDetail } from './compute.js';
import type { FeatureView } from './definitions.js';

export class OnlineFeatureStore {
  readonly view: FeatureView;
  private readonly types: ReadonlySet<EventType>;
  private readonly byCustomer = new Map<string, CreditEvent[]>();
  private readonly seen = new Set<string>();

  constructor(view: FeatureView) {
    this.view = view;
    this.types = new Set(view.features.map((f) => f.eventType));
  }

  /** Adds one event; returns false when it was already there or no feature reads its type. */
  ingest(event: CreditEvent): boolean {
    if (!this.types.has(event.type) || this.seen.has(event.eventId)) return false;
    this.seen.add(event.eventId);
    let list = this.byCustomer.get(event.customerId);
    if (!list) this.byCustomer.set(event.customerId, (list = []));
    // Append in the common case; binary insertion for a late arrival.
    if (list.length === 0 || compareEvents(list[list.length - 1]!, event) <= 0) {
      list.push(event);
    } else {
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareEvents(list[mid]!, event) <= 0) lo = mid + 1;
        else hi = mid;
      }
      list.splice(lo, 0, event);
    }
    return true;
  }

  /** The view's features for a customer at a time (epoch ms); a customer never seen gets the empty values. */
  features(customerId: string, at: number): (number | null)[] {
    return computeFeatures(this.view.features, this.byCustomer.get(customerId) ?? [], at);
  }

  /** The view's features with the newest event behind each (for decision records). */
  featureDetails(customerId: string, at: number): FeatureDetail[] {
    return computeFeatureDetails(this.view.features, this.byCustomer.get(customerId) ?? [], at);
  }

  /** A customer's stored events (sorted), for decision records and replay. */
  events(customerId: string): readonly CreditEvent[] {
    return this.byCustomer.get(customerId) ?? [];
  }

  get customers(): number {
    return this.byCustomer.size;
  }

  get size(): number {
    return this.seen.size;
  }
}
