import { describeAdapter } from '@arm/adapter-suite';
import Fastify from 'fastify';
import { arm } from '../src/arm';
import { routeOf } from '../src/validate';

describeAdapter('fastify', async (spec) => {
  const app = Fastify();
  await app.register(arm, {
    rateLimit: spec.rateLimit,
    metrics: { metrics: spec.metrics },
    health: { health: spec.health, shutdown: false },
    validate: {
      json: { maxBytes: spec.maxBodyBytes },
      openapi: { registry: spec.registry, info: spec.info },
    },
  });
  for (const { route, handler, rateLimit } of spec.routes) {
    app.route({
      ...routeOf(route, (parsed) => handler(parsed)),
      ...(rateLimit === undefined ? {} : { config: { rateLimit } }),
    });
  }
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    close: async () => {
      await app.close();
      spec.health.stop();
      spec.metrics.close();
    },
  };
});
