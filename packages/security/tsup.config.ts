import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.ts';

export default defineConfig({
  ...baseConfig,
  entry: {
    index: 'src/index.ts',
    postgres: 'src/stores/postgres.ts',
    testing: 'src/testing/describe-store.ts',
  },
});
