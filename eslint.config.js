// Lint: typescript-eslint's recommended rules, plus the architecture rule of ../shared/style.md:
// the pure core (nlp, knowledge, dialogue, core) imports no I/O, no framework, no channel SDK.
// File and native-library I/O lives in src/adapters/ (and src/storage/), so the folder says what is pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IO_AND_FRAMEWORKS = ['express', 'botkit', 'botbuilder*', 'botframework-*', 'lowdb', 'lowdb/*', 'node:fs', 'node:fs/*', 'fs', 'node:http', 'ws', 'nodejieba', 'node:child_process'];

const PURE_CORE = { group: IO_AND_FRAMEWORKS, message: 'The pure core does no I/O: pass data in, keep I/O at the edges (see ../shared/style.md).' };
const CHANNEL_SDK = { group: ['botkit', 'botbuilder*', 'botframework-*'], message: 'botkit and the Bot Framework SDK live only in src/channels/.' };
// Layers: the chat service uses handoff, the server uses both; nothing reaches back up. Handoff code
// that needs a conversation depends on the port in src/handoff/conversation-port.ts.
const UPWARD = { group: ['**/service/*', '**/server/*', '**/channels/*'], message: 'Do not import upward (service, server, channels): depend on a port the lower layer defines.' };

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'public/', '.tmp/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/channels/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [CHANNEL_SDK] }],
    },
  },
  // After the block above: for the same files a later block replaces the rule, so the core block
  // repeats the channel-SDK pattern instead of losing it (test/lint/architecture.test.ts).
  {
    files: ['src/nlp/**/*.ts', 'src/knowledge/**/*.ts', 'src/dialogue/**/*.ts', 'src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [PURE_CORE, CHANNEL_SDK, UPWARD] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'Read settings in src/config.ts and pass them in.' }],
    },
  },
  // Likewise after the general block, repeating its pattern.
  {
    files: ['src/handoff/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [CHANNEL_SDK, UPWARD] }],
    },
  },
);
