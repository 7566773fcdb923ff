import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { projects } from './vitest.workspace.ts';

/** Lines and branches every published package must keep covered, measured per package. */
const COVERAGE_FLOOR = { lines: 90, branches: 90 } as const;

const publishedPackages = readdirSync('packages', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`packages/${entry.name}/package.json`))
  .map((entry) => entry.name);

export default defineConfig({
  test: {
    projects,
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.{ts,tsx}'],
      exclude: ['**/*.test.*', '**/*.test-d.*', '**/src/index.ts'],
      reporter: ['text-summary', 'json-summary', 'text'],
      reportsDirectory: 'coverage',
      thresholds: Object.fromEntries(
        publishedPackages.map((name) => [`packages/${name}/src/**`, COVERAGE_FLOOR]),
      ),
    },
  },
});
