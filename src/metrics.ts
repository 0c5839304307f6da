import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The bridge's Prometheus metrics, all named aver_bridge_*, in a registry of
 * its own (two bridges in one process do not share counters).
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'aver_bridge_' });
  const registers = [registry];
  const m = {
    registry,
    eventsReceived: new Counter({
      name: 'aver_bridge_events_received_total',
      help: 'Webhooks received, by entity type, status and outcome (accepted, duplicate, rejected).',
      labelNames: ['type', 'status', 'outcome', 'code'] as const,
      registers,
    }),
    eventsUnknown: new Counter({
      name: 'aver_bridge_events_unknown_values_total',
      help: 'Accepted events whose type or status Aver does not document (routed all the same).',
      labelNames: ['field'] as const,
      registers,
    }),
    eventsRouted: new Counter({
      name: 'aver_bridge_events_routed_total',
      help: 'Events routed, by how many receivers they reached.',
      labelNames: ['receivers'] as const,
      registers,
    }),
    deliveries: new Counter({
      name: 'aver_bridge_deliveries_total',
      help: 'Delivery attempts, by receiver, integration, outcome (delivered, retried, deadLettered) and failure reason.',
      labelNames: ['receiver', 'integration', 'outcome', 'reason'] as const,
      registers,
    }),
    deliveryLatency: new Histogram({
      name: 'aver_bridge_delivery_latency_seconds',
      help: 'Time from acknowledging the webhook to the message being delivered.',
      labelNames: ['receiver', 'integration'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers,
    }),
    queueDepth: new Gauge({ name: 'aver_bridge_queue_depth', help: 'Pending delivery jobs per receiver.', labelNames: ['receiver'] as const, registers }),
    queueOldestAge: new Gauge({
      name: 'aver_bridge_queue_oldest_job_age_seconds',
      help: 'Age of the oldest pending job per receiver.',
      labelNames: ['receiver'] as const,
      registers,
    }),
    deadLetters: new Gauge({ name: 'aver_bridge_dead_letters', help: 'Dead letters per receiver.', labelNames: ['receiver'] as const, registers }),
    enrichmentUnavailable: new Counter({
      name: 'aver_bridge_enrichment_unavailable_total',
      help: 'Events delivered without Aver API details, by reason code.',
      labelNames: ['code'] as const,
      registers,
    }),
    configReloadSuccessful: new Gauge({ name: 'aver_bridge_config_last_reload_successful', help: 'Whether the last configuration reload succeeded.', registers }),
    configReloadTimestamp: new Gauge({
      name: 'aver_bridge_config_last_reload_success_timestamp_seconds',
      help: 'Timestamp of the last successful configuration reload.',
      registers,
    }),
    configHash: new Gauge({ name: 'aver_bridge_config_hash', help: 'Hash of the loaded configuration file (value 1 for the current hash).', labelNames: ['hash'] as const, registers }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
