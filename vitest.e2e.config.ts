// End-to-end tests: the built server in a child process, driven by Debian's Chromium.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    // Each file starts its own server; one at a time keeps first-start migrations fast.
    fileParallelism: false,
    // A first start on an empty PGlite takes ~10 s, and a browser start a few more.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
