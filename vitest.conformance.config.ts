/**
 * `npm run test:conformance`: the tests that compare Sovra's output with the
 * public originals in the reference data folder (SOVRA_REFERENCE_DIR, by
 * default ../shared). They fail, never skip, when it is missing.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/conformance/**/*.test.ts'],
    exclude: ['node_modules/**', 'lib/**', 'dist/**'],
    // The reference data check first, so a missing folder stops the run before the build.
    globalSetup: ['test/conformance/reference-data.ts', 'test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
