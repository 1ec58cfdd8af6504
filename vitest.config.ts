import { defineConfig } from 'vitest/config';

// Integration tests run against a real database: PGlite by default, PostgreSQL when
// TEST_DATABASE_URL is set. Each test file gets a fresh, migrated database.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
