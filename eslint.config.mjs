// Lint runs in `npm test`. Floating promises are errors: background failures must be
// awaited or reported, never lost.
import tseslint from 'typescript-eslint';
import { boundariesPlugin } from './scripts/lint-boundaries.mjs';

export default tseslint.config(
  { ignores: ['node_modules/**', 'docs/**', 'out/**', 'dist/**', 'dist.*/**', '**/*.mjs', '**/*.js', '**/node_modules/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  // The layers' import boundaries: plugins see only core/api and lib/ (scripts/lint-boundaries.mjs).
  {
    files: ['core/**/*.ts', 'plugins/**/*.ts'],
    plugins: { sluice: boundariesPlugin },
    rules: { 'sluice/boundaries': 'error' },
  },
);
