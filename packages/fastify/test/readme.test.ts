import { describeReadmeExamples } from '@arm/adapter-suite';

describeReadmeExamples(
  new URL('../README.md', import.meta.url),
  '@arm/fastify',
  new URL('../src/', import.meta.url),
);
