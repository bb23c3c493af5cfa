import { defineConfig, type ViteUserConfig } from 'vitest/config';

/** Settings both tiers share: real sockets, the open-handle check, no retries. */
export const shared: NonNullable<ViteUserConfig['test']> = {
  setupFiles: ['test/setup/no-open-handles.ts'],
  environment: 'node',
  pool: 'forks',
  testTimeout: 30_000,
  hookTimeout: 30_000,
  restoreMocks: true,
  unstubEnvs: true,
  // No retries: a flaky test is a bug to fix, not to hide.
  retry: 0,
};

// `npm test`: needs Node alone. Tests judged against real third-party programs (OpenSSL CLI,
// HAProxy, nginx, a browser, npm itself) live in test/oracles/ and run with `npm run test:oracles`.
export default defineConfig({
  test: {
    ...shared,
    include: ['test/**/*.test.ts'],
    exclude: ['test/oracles/**', '**/node_modules/**', 'dist/**'],
  },
});
