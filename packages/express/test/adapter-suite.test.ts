import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describeAdapter } from '@arm/adapter-suite';
import express from 'express';
import { arm } from '../src/arm';
import { rateLimit } from '../src/ratelimit';
import { mountRoute } from '../src/validate';

describeAdapter('express', async (spec) => {
  const app = express();
  // Express runs app-wide middleware before routing: exempt routes are skipped by path.
  const exempt = new Set(spec.routes.filter((r) => r.rateLimit === false).map((r) => r.route.path));
  const stack = arm(app, {
    rateLimit: { ...spec.rateLimit, skip: (request) => exempt.has(request.path ?? '') },
    metrics: { metrics: spec.metrics },
    health: { health: spec.health },
    json: { maxBytes: spec.maxBodyBytes },
    openapi: { registry: spec.registry, info: spec.info },
  });
  for (const { route, handler, rateLimit: own } of spec.routes) {
    mountRoute(app, route, (parsed) => handler(parsed), own ? [rateLimit(own)] : []);
  }
  stack.finish();
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      spec.health.stop();
      spec.metrics.close();
    },
  };
});
