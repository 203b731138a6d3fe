import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Prometheus metrics for /metrics; one registry per service instance (tests start several). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'aftersales_' });
  return {
    registry,
    ingested: new Counter({
      name: 'aftersales_inbound_deliveries_total',
      help: 'Inbound platform deliveries by channel and outcome (accepted | duplicate | rejected)',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
    }),
    processed: new Counter({
      name: 'aftersales_jobs_processed_total',
      help: 'Jobs handled by workers by queue and outcome',
      labelNames: ['queue', 'outcome'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'aftersales_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
