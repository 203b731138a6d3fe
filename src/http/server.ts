import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import { errorHandler } from './error-map.ts';

export interface HealthProbe {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

/**
 * The HTTP edge: health, metrics, body limits, and the one error handler. Channel and admin routes are
 * mounted by the composition root through `routes`.
 */
export async function createHttpServer(opts: {
  log: Logger;
  metrics: Metrics;
  bodyLimit: number;
  probes: HealthProbe[];
  routes: ((app: FastifyInstance) => void | Promise<void>)[];
}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.log.child({ mod: 'http' }) as FastifyBaseLogger,
    bodyLimit: opts.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: nothing logs through req.log, and creating one per request runs
    // pino's redaction set-up each time (visible in the WeCom edge profile).
    childLoggerFactory: (logger) => logger,
    trustProxy: true,
  });
  app.setErrorHandler(errorHandler(opts.log));
  app.setNotFoundHandler((req, reply) => {
    void reply
      .status(404)
      .send({ error: { code: 'not_found', message: `没有这个地址：${req.method} ${req.url.split('?')[0]}` } });
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    opts.metrics.httpDuration.observe({ route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get('/', async (_req, reply) => reply.redirect('/sandbox'));
  app.get('/healthz', async (_req, reply) => {
    const results = await Promise.all(opts.probes.map(async (p) => [p.name, await p.check()] as const));
    const ok = results.every(([, r]) => r.ok);
    return reply.status(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'degraded',
      checks: Object.fromEntries(
        results.map(([name, r]) => [name, { status: r.ok ? 'up' : 'down', ...(r.detail ? { detail: r.detail } : {}) }]),
      ),
    });
  });
  app.get('/metrics', async (_req, reply) =>
    reply.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics()),
  );

  for (const register of opts.routes) await register(app);
  return app;
}
