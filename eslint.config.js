// `npm run lint` runs this, then knip (knip.json) for unused files, exports and dependencies.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** The slow tier: a test file that starts a process (a server, the CLI, a script, a browser, a benchmark). */
const PROCESS_TESTS = 'test/**/*.process.test.ts';

export default defineConfig(
  { ignores: ['dist/', 'manifest/teams/build/', '.bench-cache/'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // One function, one screen: a closure that grows past this is split into named steps.
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 100, skipBlankLines: false, skipComments: false, IIFEs: true }] },
  },
  {
    // The composition root builds each part after what it uses: nothing is used before its definition.
    files: ['src/app.ts'],
    rules: { '@typescript-eslint/no-use-before-define': ['error', { functions: true, classes: true, variables: true }] },
  },
  {
    // `npm run test:unit` leaves out *.process.test.ts; a test that needs a process says so in its name.
    files: ['test/**/*.test.ts'],
    ignores: [PROCESS_TESTS],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'node:child_process', message: 'A test that starts a process belongs in a *.process.test.ts file.' },
          { name: 'child_process', message: 'A test that starts a process belongs in a *.process.test.ts file.' },
          { name: 'playwright-core', message: 'A browser test belongs in a *.process.test.ts file.' },
        ],
        patterns: [{ group: ['**/helpers/server-process.js'], message: 'A test that starts a server process belongs in a *.process.test.ts file.' }],
      }],
    },
  },
);
