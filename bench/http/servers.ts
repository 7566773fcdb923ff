/**
 * The servers the HTTP benchmark loads, one per process: `tsx http/servers.ts <stack>` starts
 * one on a free loopback port and prints the port. Every stack serves the same JSON route and
 * logs every request at info to /dev/null; limits are high enough that no request is refused,
 * so every stack does its full work on every request.
 */
import { createWriteStream } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { arm as armExpress } from '@arm/express';
import { arm as armFastify } from '@arm/fastify';
import { genReqId } from '@arm/fastify/errors';
import { createLogger, createMetrics } from '@arm/metrics';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import express from 'express';
import promBundle from 'express-prom-bundle';
import expressRateLimit from 'express-rate-limit';
import Fastify from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import fastifyMetrics from 'fastify-metrics';
import helmet from 'helmet';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';

type Stack = 'bare' | 'anchor' | 'arm';

const LIMIT = 1_000_000_000;
const POLICY = {
  name: 'bench',
  algorithm: 'fixed-window',
  limit: LIMIT,
  windowMs: 60_000,
} as const;
const BODY = { hello: 'world', items: [1, 2, 3] };
const devNull = () => createWriteStream('/dev/null');

async function fastify(stack: Stack): Promise<number> {
  const loggerInstance: FastifyBaseLogger | undefined =
    stack === 'bare'
      ? undefined
      : stack === 'anchor'
        ? pino({ level: 'info' }, devNull())
        : createLogger({ destination: devNull() });
  const app = Fastify({
    ...(loggerInstance ? { loggerInstance } : {}),
    ...(stack === 'arm' ? { genReqId } : {}),
  });
  if (stack === 'anchor') {
    await app.register(fastifyRateLimit, { max: LIMIT, timeWindow: 60_000 });
    await app.register(fastifyHelmet);
    await app.register(fastifyMetrics, { endpoint: '/metrics' });
  }
  if (stack === 'arm') {
    await app.register(armFastify, {
      metrics: { metrics: createMetrics() },
      rateLimit: { policies: POLICY },
    });
  }
  app.get('/hello', () => BODY);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

async function expressServer(stack: Stack): Promise<number> {
  const app = express();
  if (stack === 'anchor') {
    app.use(pinoHttp({ logger: pino({ level: 'info' }, devNull()) }));
    app.use(helmet());
    app.use(promBundle({ includeMethod: true, includePath: true, includeStatusCode: true }));
    app.use(
      expressRateLimit({
        windowMs: 60_000,
        limit: LIMIT,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
      }),
    );
  }
  const armStack =
    stack === 'arm'
      ? armExpress(app, {
          metrics: { metrics: createMetrics() },
          logger: createLogger({ destination: devNull() }),
          rateLimit: { policies: POLICY },
        })
      : undefined;
  app.get('/hello', (_req, res) => {
    res.json(BODY);
  });
  armStack?.finish();
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return (server.address() as AddressInfo).port;
}

const [framework, stack] = (process.argv[2] ?? '').split('-') as [string, Stack];
const port = framework === 'fastify' ? await fastify(stack) : await expressServer(stack);
process.stdout.write(`${port}\n`);
