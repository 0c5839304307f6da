import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { packageVersion } from './version.js';

const PREFIX = 'aver_bridge_';

/**
 * prom-client's gauges named like counters: `promtool check metrics` flags a gauge ending in _total. Their
 * labelled twins (nodejs_active_handles{type}, …) stay, and sum to the same.
 */
const GAUGES_NAMED_TOTAL = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * The bridge's Prometheus metrics, all named aver_bridge_*, in a registry of
 * its own (two bridges in one process do not share counters).
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) registerProcessMetrics(registry);
  registerBuildInfo(registry);
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
      help: 'End to end: from the 202 to Aver to the message delivered, queueing, pacing and retries included.',
      labelNames: ['receiver', 'integration'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers,
    }),
    attemptDuration: new Histogram({
      name: 'aver_bridge_delivery_attempt_duration_seconds',
      help: "Per request: one delivery attempt, the receiver's call to Slack, Teams or the endpoint, failed ones included (a timeout counts as delivery.timeout).",
      labelNames: ['receiver', 'integration'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
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
    checkAcknowledgements: new Counter({
      name: 'aver_bridge_check_acknowledgements_total',
      help: 'Checks acknowledged from Slack or Teams (a button or a command), by platform and how.',
      labelNames: ['platform', 'via'] as const,
      registers,
    }),
    checkAssignments: new Counter({
      name: 'aver_bridge_check_assignments_total',
      help: 'Checks assigned or unassigned from Slack or Teams, by action (assign, unassign), platform and how.',
      labelNames: ['action', 'platform', 'via'] as const,
      registers,
    }),
    timeToAcknowledge: new Histogram({
      name: 'aver_bridge_check_time_to_acknowledge_seconds',
      help: "From a check's first message posted to its first acknowledgement.",
      buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800],
      registers,
    }),
    openGroups: new Gauge({ name: 'aver_bridge_open_groups', help: 'Group windows open (waiting for group_wait or gathering for group_interval).', registers }),
    heldDeliveries: new Gauge({ name: 'aver_bridge_held_deliveries', help: 'Deliveries held by a muted time interval, sent when it ends.', registers }),
    groupFlushes: new Counter({
      name: 'aver_bridge_group_flushes_total',
      help: 'Group flushes, by receiver and result (digest, single: one event sent as its own message, close: nothing new).',
      labelNames: ['receiver', 'result'] as const,
      registers,
    }),
    remindersSent: new Counter({ name: 'aver_bridge_reminders_total', help: 'Reminders enqueued, by receiver.', labelNames: ['receiver'] as const, registers }),
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

/** prom-client's process and Node.js metrics, prefixed, less the gauges promtool flags. */
function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(PREFIX + name);
}

/** aver_bridge_build_info: 1, labelled with what runs (as Prometheus' own prometheus_build_info). */
function registerBuildInfo(registry: Registry): void {
  new Gauge({
    name: 'aver_bridge_build_info',
    help: 'Value 1, with the version of aver-bridge and of the Node.js it runs on.',
    labelNames: ['version', 'node'] as const,
    registers: [registry],
  }).set({ version: packageVersion(), node: process.versions.node }, 1);
}
