/**
 * Golden conversation transcripts (test/conversations/*.yaml) replayed in memory through the
 * chat service, against the shipped knowledge base. A transcript with a `desk:` runs with the
 * handoff desk online — its office hours, and a clock stopped at `at` — as the server runs it;
 * without one, 「转人工」 gives the hotline.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Reply } from '../../src/core/types.js';
import { createEngine } from '../../src/knowledge/engine.js';
import { parseFlows } from '../../src/dialogue/parse-flows.js';
import { loadKnowledge, readYamlFiles } from '../../src/adapters/load-knowledge.js';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';
import { createHandoffService } from '../../src/handoff/handoff-service.js';
import { parseOfficeHours } from '../../src/handoff/office-hours.js';
import { createChatService } from '../../src/service/chat-service.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';

interface Expect {
  match?: string | null;
  mode?: string;
  contains?: string[];
  notContains?: string[];
  choices?: string[];
  ask?: string[];
  handoff?: string;
  /** A checklist arrives, listing at least these materials (by name). */
  checklist?: string[];
}
interface Turn {
  user?: string;
  press?: string;
  bot: Expect;
}
interface Desk {
  /** As OFFICE_HOURS: "Mon-Fri 08:30-12:00,14:30-17:30". */
  officeHours: string;
  /** The time of every turn (ISO, UTC). */
  at: string;
}

const dir = resolve(import.meta.dirname, '../conversations');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const loaded = await loadKnowledge(resolve(import.meta.dirname, '../../knowledge'));
if (!loaded.ok) throw new Error('knowledge base does not validate');
const engine = createEngine(loaded.kb, createJiebaTokenizer());
const flowsLoaded = parseFlows(await readYamlFiles(resolve(import.meta.dirname, '../../flows')), loaded.kb);
if (!flowsLoaded.ok) throw new Error('flows do not validate');
const flows = flowsLoaded.flows;

const allText = (replies: Reply[]) =>
  replies
    .map((r) =>
      r.type === 'checklist'
        ? r.materials.map((m) => `${m.name} ${m.note ?? ''}`).join('\n')
        : ('text' in r ? r.text : '') + (r.type === 'choices' ? r.choices.map((c) => c.label).join(' ') : ''),
    )
    .join('\n');

describe('golden transcripts', () => {
  it('has at least five', () => expect(files.length).toBeGreaterThanOrEqual(5));

  for (const file of files) {
    const script = parse(readFileSync(join(dir, file), 'utf8')) as { name: string; desk?: Desk; turns: Turn[] };
    it(`${file}: ${script.name}`, async () => {
      let n = 0;
      const store = createMemoryStore();
      const desk = script.desk;
      const now = () => new Date(desk!.at);
      const online = desk ? { handoff: createHandoffService(store, now), officeHours: parseOfficeHours(desk.officeHours), now } : {};
      const chat = createChatService({ engine: () => engine, flows: () => flows, store, newId: () => `golden${n++}`, ...online });
      let last: Reply[] = [];
      for (const [i, turn] of script.turns.entries()) {
        const where = `${file} turn ${i + 1} (${turn.user ?? turn.press})`;
        let input;
        if (turn.press !== undefined) {
          const choice = last.flatMap((r) => (r.type === 'choices' ? r.choices : [])).find((c) => c.label === turn.press);
          expect(choice, `${where}: no button labelled ${turn.press}`).toBeDefined();
          input = { choice: choice!.value };
        } else input = { text: turn.user! };
        const out = await chat.handle('golden', input, 'test');
        last = out.replies;
        const e = turn.bot;
        const text = allText(out.replies);
        if (e.match !== undefined) expect(out.match?.id ?? null, where).toBe(e.match);
        if (e.mode) expect(out.mode, where).toBe(e.mode);
        for (const s of e.contains ?? []) expect(text, where).toContain(s);
        for (const s of e.notContains ?? []) expect(text, where).not.toContain(s);
        const labels = out.replies.flatMap((r) => (r.type === 'choices' ? r.choices.map((c) => c.label) : []));
        if (e.choices) expect(labels, where).toEqual(expect.arrayContaining(e.choices));
        if (e.ask) {
          if (out.mode !== 'flow') expect(out.match, `${where}: expected a question back`).toBeNull();
          expect(labels, where).toEqual(expect.arrayContaining(e.ask));
        }
        if (e.checklist) {
          const list = out.replies.find((r) => r.type === 'checklist');
          expect(list, `${where}: expected a checklist`).toBeDefined();
          const names = list?.type === 'checklist' ? list.materials.map((m) => m.name) : [];
          expect(new Set(names).size, `${where}: no duplicate materials`).toBe(names.length);
          for (const m of e.checklist) expect(names.join('|'), where).toContain(m);
        }
        if (e.handoff) expect(out.replies.find((r) => r.type === 'handoff'), where).toMatchObject({ status: e.handoff });
      }
    });
  }
});
