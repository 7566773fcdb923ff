import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.ts';

/**
 * Every entry is a client module: `"use client"` must open each built file, ESM and CJS alike,
 * so React Server Components treat it as a client reference. esbuild keeps a banner; the
 * rollup tree-shaking pass would drop a module-level directive, so it is off here (esbuild
 * still removes unused code).
 */
export default defineConfig({
  ...baseConfig,
  entry: ['src/index.ts', 'src/reporter.ts', 'src/optimistic.ts', 'src/testing.ts'],
  treeshake: false,
  banner: { js: '"use client";' },
});
