import { defaultClientConditions, defaultServerConditions } from 'vite';
import type { ViteUserConfig } from 'vitest/config';

/**
 * Settings each project config spreads. `@arm/source` resolves sibling packages to their
 * TypeScript sources, so tests never depend on a previous build.
 */
export function projectConfig(name: string): ViteUserConfig {
  return {
    resolve: { conditions: ['@arm/source', ...defaultClientConditions] },
    ssr: { resolve: { conditions: ['@arm/source', ...defaultServerConditions] } },
    test: {
      name,
      restoreMocks: true,
      include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
      typecheck: {
        enabled: true,
        include: ['src/**/*.test-d.{ts,tsx}'],
        tsconfig: './tsconfig.json',
      },
    },
  };
}
