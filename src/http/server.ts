import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import { errorHandler, errorReply } from './error-map.ts';
import { readLimitedBody } from './limited-body.ts';

/**
 * A route served on node:http ahead of Fastify. `handle` gets the raw URL and the body (read as text, at
 * most `limitBytes`) and resolves the text answered with 200; what it throws answers as Fastify's error
 * handler would (same codes, statuses, Chinese messages and metrics). Only the WeCom callback POST uses it:
 * there Fastify's own per-request work was a tenth of the api process's time (bench/README.md).
 */
export interface FrontRoute {
  method: 'POST';
  path: string;
  limitBytes: number;
  handle(url: string, body: string): Promise<string>;
}

/** Mounts routes on the Fastify app; `front` adds a {@link FrontRoute}. */
export type RouteRegistrar = (app: FastifyInstance, front: (route: FrontRoute) => void) => void | Promise<void>;

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
  routes: RouteRegistrar[];
}): Promise<FastifyInstance> {
  const front = new Map<string, FrontRoute>();
  const serveFront = (route: FrontRoute, req: IncomingMessage, res: ServerResponse, url: string) => {
    const started = performance.now();
    let status = 200;
    readLimitedBody(req, req.headers['content-length'], route.limitBytes)
      .then((body) => route.handle(url, body))
      .then(
        (text) => void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text),
        (err: Error) => {
          const reply = errorReply(err, opts.log, url);
          status = reply.status;
          const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json; charset=utf-8' };
          if (reply.retryAfter) headers['retry-after'] = reply.retryAfter;
          res.writeHead(status, headers).end(JSON.stringify(reply.body));
        },
      )
      .finally(() => frontTimer(route.path, status).observe((performance.now() - started) / 1000));
  };
  // The labelled histogram of each front route and status, looked up once (observe with a label object
  // hashes the labels on every call).
  const frontTimers = new Map<string, ReturnType<Metrics['httpDuration']['labels']>>();
  const frontTimer = (path: string, status: number) => {
    const key = `${status} ${path}`;
    let timer = frontTimers.get(key);
    if (!timer) {
      timer = opts.metrics.httpDuration.labels({ route: path, status: String(status) });
      frontTimers.set(key, timer);
    }
    return timer;
  };
  const app = Fastify({
    serverFactory: (handler) =>
      http.createServer((req, res) => {
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        const route = front.size > 0 ? front.get(`${req.method} ${q < 0 ? url : url.slice(0, q)}`) : undefined;
        if (route) serveFront(route, req, res, url);
        else handler(req, res);
      }),
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

  for (const register of opts.routes) await register(app, (r) => front.set(`${r.method} ${r.path}`, r));
  return app;
}
