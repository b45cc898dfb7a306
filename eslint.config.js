import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Imports a folder may not make; `import type` counts too (a type is a dependency on a layer). */
function layerRule(files, patterns) {
  return {
    files: [files],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', '.facet/', 'coverage/', 'test-output/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  // The layers of docs/architecture.md: each message names the rule it enforces.
  layerRule('src/workflow/**/*.ts', [
    {
      regex: '(^|/)(bots|compose|ai)/',
      message:
        'Layers: the workflow knows no chat platform, no composition and no model client (it has ports).',
    },
  ]),
  layerRule('src/credits/**/*.ts', [
    {
      regex: '(^|/)(workflow|bots)/',
      message: 'Layers: the ledger knows no design states and no chat platform.',
    },
  ]),
  layerRule('src/bots/**/*.ts', [
    {
      regex: '(^|/)(storage|credits)/',
      message:
        'Layers: the chat layer reads and changes data through named functions of the workflow (WorkspaceDirectory, WorkspaceDesigns, WorkspaceCredits, ChatPosts, DesignService), never storage or the ledger, types included.',
    },
    {
      regex: '^(kysely|pg)$',
      message: 'Layers: the chat layer builds no SQL; ask a named function of the workflow.',
    },
  ]),
  {
    files: ['src/**/*.ts'],
    ignores: ['src/sharp.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'sharp', message: "Import sharp from src/sharp.ts: it holds Facet's settings." }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/bots/playground/page/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
);
