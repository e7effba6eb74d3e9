import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the tests so Nest decorators keep their metadata (esbuild drops it).
const plugins = [swc.vite({ module: { type: 'es6' } })];

/**
 * Two projects: `unit` (pure, beside the code, no services) and `integration` (test/: real
 * PostgreSQL and Kafka, started by the global setup). `npm test` runs both;
 * `npx vitest run --project unit` runs only the fast ones.
 */
export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      {
        plugins,
        test: {
          name: 'unit',
          include: ['{apps,libs,migrations}/**/*.spec.ts'],
          exclude: ['**/node_modules/**', '**/.next/**'],
          pool: 'forks',
        },
      },
      {
        plugins,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          pool: 'forks',
        },
      },
    ],
  },
});
