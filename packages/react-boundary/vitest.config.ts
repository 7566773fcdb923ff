import { defineProject } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.ts';

const base = projectConfig('@arm/react-boundary');

/** Components render in jsdom; files that need Node alone say `@vitest-environment node`. */
export default defineProject({
  ...base,
  test: { ...base.test, environment: 'jsdom' },
});
