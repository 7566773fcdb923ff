/**
 * The one list of test projects. `vitest.config.ts` reads it; add a glob here, never a second
 * list elsewhere. Each project has its own `vitest.config.ts` that names it.
 */
export const projects = [
  'packages/*/vitest.config.ts',
  'internal/*/vitest.config.ts',
  'examples/*/vitest.config.ts',
];
