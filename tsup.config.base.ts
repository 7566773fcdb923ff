import type { Options } from 'tsup';

/** Build settings every published package shares: ESM and CJS, each with its own declarations. */
export const baseConfig = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
  splitting: false,
} satisfies Options;
