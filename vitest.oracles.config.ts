import { defineConfig } from 'vitest/config';
import { shared } from './vitest.config.ts';

// `npm run test:oracles`: every test judged against a real third-party program. A missing program
// fails the test with the command that installs it (never a skip); .ci/run installs them all.
export default defineConfig({
  test: {
    ...shared,
    include: ['test/oracles/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**'],
  },
});
