import { describeReadmeExamples } from '@arm/adapter-suite';

describeReadmeExamples(
  new URL('../README.md', import.meta.url),
  '@arm/express',
  new URL('../src/', import.meta.url),
);
