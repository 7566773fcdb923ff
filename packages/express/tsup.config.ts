import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.ts';

export default defineConfig({
  ...baseConfig,
  entry: [
    'src/index.ts',
    'src/errors.ts',
    'src/ratelimit.ts',
    'src/validate.ts',
    'src/security.ts',
    'src/health.ts',
    'src/metrics.ts',
  ],
});
