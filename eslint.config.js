// Lint: typescript-eslint's recommended rules, node: prefixes for builtins, no warnings allowed (npm run lint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The seed's function handler is kept verbatim (its unused parameters included).
  { ignores: ['node_modules/**', 'dist/**', 'scenarios/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(fs|path|crypto|tls|net|http|https|url|util|os|child_process|stream|events|module|worker_threads|dns|zlib|assert|buffer|timers)(/.*)?$', message: 'Use the node: prefix for builtins.' }] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly' } } },
  // Tests build deliberately malformed data.
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
