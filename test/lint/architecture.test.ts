/**
 * The architecture rule of ../shared/style.md is enforced by `npm run lint`: a file of the pure core
 * that imports I/O or a framework fails, and botkit stays in src/channels/. Linted as if the text
 * were at these paths (no fixture file is written into src/).
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: resolve(import.meta.dirname, '../..') });
const problems = async (path: string, code: string) => {
  const [result] = await eslint.lintText(code, { filePath: resolve(import.meta.dirname, '../..', path) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals').map((m) => m.message);
};

describe('the pure-core lint rule', () => {
  it('fails a core file that imports the file system or a framework, or reads process', async () => {
    for (const path of ['src/nlp/bad-example.ts', 'src/knowledge/bad-example.ts', 'src/dialogue/bad-example.ts', 'src/core/bad-example.ts']) {
      expect(await problems(path, "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"), path).toEqual([expect.stringMatching(/pure core does no I\/O/)]);
      expect(await problems(path, "import express from 'express';\nexport const x = express;\n"), path).toEqual([expect.stringMatching(/pure core/)]);
      expect((await problems(path, 'export const x = process.env.PORT;\n')).join(), path).toMatch(/src\/config\.ts/);
    }
  });

  it('keeps botkit inside src/channels/, in the core and elsewhere', async () => {
    const botkit = "import { Botkit } from 'botkit';\nexport const x = Botkit;\n";
    expect((await problems('src/nlp/bad-example.ts', botkit)).join()).toMatch(/botkit|pure core/);
    expect(await problems('src/server/bad-example.ts', botkit)).toEqual([expect.stringMatching(/src\/channels/)]);
    expect(await problems('src/channels/web/fine-example.ts', botkit)).toEqual([]);
  });

  it('holds for every file of the core folders: no file there is exempt, and nodejieba is I/O', async () => {
    const jieba = "import nodejieba from 'nodejieba';\nexport const x = nodejieba;\n";
    // The files that used to be exempt now live in src/adapters/; their old paths are plain core paths.
    expect(await problems('src/nlp/jieba-tokenizer.ts', jieba)).toEqual([expect.stringMatching(/pure core/)]);
    expect(await problems('src/knowledge/load-knowledge.ts', "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n")).toEqual([expect.stringMatching(/pure core/)]);
    expect(await problems('src/adapters/jieba-tokenizer.ts', jieba)).toEqual([]);
  });

  it('keeps the layers pointing down: neither the core nor handoff imports the service, the server or a channel', async () => {
    const upward = "import type { ChatService } from '../service/chat-service.js';\nexport type X = ChatService;\n";
    for (const path of ['src/handoff/bad-example.ts', 'src/dialogue/bad-example.ts']) {
      expect(await problems(path, upward), path).toEqual([expect.stringMatching(/import upward/)]);
      expect(await problems(path, "import { csrfGuard } from '../server/auth-routes.js';\nexport const x = csrfGuard;\n"), path).toEqual([expect.stringMatching(/import upward/)]);
    }
    expect(await problems('src/handoff/bad-example.ts', "import { Botkit } from 'botkit';\nexport const x = Botkit;\n")).toEqual([expect.stringMatching(/src\/channels/)]);
    expect(await problems('src/handoff/fine-example.ts', "import type { ConversationPort } from './conversation-port.js';\nexport type X = ConversationPort;\n")).toEqual([]);
    expect(await problems('src/server/fine-example.ts', upward)).toEqual([]);
  });

  it('lets the edges do I/O and the core import pure modules', async () => {
    expect(await problems('src/server/fine-example.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([]);
    expect(await problems('src/nlp/fine-example.ts', "import { normalize } from './normalize.js';\nexport const x = normalize;\n")).toEqual([]);
  });
});
