import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const AGENT_SIDECAR_PATTERN = {
  regex: '^\\.\\./(\\.\\./)*sidecar/(?!lib/|schemas/agent)',
  message: 'The agent may import only sidecar/lib/* and sidecar/schemas/agent.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'demo/**', 'test-artifacts/**', 'templates/scripts/vendor/**', 'build/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The agent runs on the Hyper-V host: it may share only the pure wire-contract modules of the sidecar.
    files: ['agent/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [AGENT_SIDECAR_PATTERN] }] },
  },
  {
    // The restore engine (kopia, chunk map, writers, partial file) knows nothing of the run that drives it: no plan,
    // reporter, outbox, journal, config, poll loop or sidecar client. Besides itself it loads agent/platform, which
    // both halves share, and what the whole agent may load of the sidecar. (Flat config: this replaces the agent
    // rule for these files, so it repeats that pattern.)
    files: ['agent/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [AGENT_SIDECAR_PATTERN, {
          regex: '^\\.\\./(?!platform/|\\.\\./sidecar/)',
          message: 'The restore engine may import only agent/engine, agent/platform, sidecar/lib/* and sidecar/schemas/agent (never agent/run).',
        }],
      }],
    },
  },
  {
    // What the agent and the browser load must stay pure all the way down: sidecar/lib and the agent wire contract
    // (schemas/agent.ts with its payload half) import only each other and packages, never services, db, http,
    // routes or views.
    files: ['sidecar/lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^\\.\\./(?!schemas/agent(-payload)?\\.js$)',
          message: 'sidecar/lib is shared with the agent and the browser: import only sidecar/lib, sidecar/schemas/agent and packages.',
        }],
      }],
    },
  },
  {
    files: ['sidecar/schemas/agent.ts', 'sidecar/schemas/agent-payload.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^\\.\\./(?!lib/)|^\\./(?!agent(-payload)?\\.js$)',
          message: 'The agent wire contract is shared with the agent: import only sidecar/lib, sidecar/schemas/agent and packages.',
        }],
      }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['templates/scripts/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', Alpine: 'readonly', URLSearchParams: 'readonly', Intl: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', console: 'readonly' } },
  },
);
