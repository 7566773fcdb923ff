/**
 * The child process of sigterm.test.ts: a real HTTP server under graceful shutdown. Requests to
 * `/work` take 600 ms; stdout reports what happens, one line per event.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHealth, createShutdown } from '../src/index';

const health = createHealth();
const server = createServer((request, response) => {
  if (request.url === '/ready') {
    void health.ready().then(({ httpStatus, headers, body }) => {
      response.writeHead(httpStatus, headers).end(JSON.stringify(body));
    });
    return;
  }
  console.log('received');
  setTimeout(() => response.end('done'), 600);
});
createShutdown({
  server,
  health,
  delayMs: 300,
  drainTimeoutMs: 5000,
  cleanup: [
    {
      name: 'redis',
      run: () => {
        console.log('cleanup redis');
      },
    },
    {
      name: 'postgres',
      run: () => {
        console.log('cleanup postgres');
      },
    },
  ],
  hooks: {
    onPhase: ({ phase, reason }) => {
      console.log('phase', phase, reason);
    },
  },
});
server.listen(0, '127.0.0.1', () => {
  console.log('listening', (server.address() as AddressInfo).port);
});
