/**
 * `npm test`: every test that needs only this repository. The comparisons
 * with the public originals are `npm run test:conformance`
 * (vitest.conformance.config.ts).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'lib/**', 'dist/**', 'test/conformance/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
