/** Shared types of the conversation: what a user sends, what the bot replies. */
import type { Aspect } from '../nlp/aspects.js';
import type { EntryKind } from '../knowledge/schema.js';

export interface Choice {
  label: string;
  value: string;
}

export interface SourceRef {
  title: string;
  url?: string;
  checked: string;
  reliability: string;
}

/** Structured form of an answer, so a channel can render a card; `text` always holds the same content. */
export interface AnswerCard {
  entryId: string;
  title: string;
  kind: EntryKind;
  aspect: Aspect;
  summary: string;
  sections: { heading: string; lines: string[] }[];
  legalBasis: string[];
  sources: SourceRef[];
  lastVerified: string | null;
  verified: boolean;
  /** 「以窗口最新告知为准」 and why, when any fact shown is not verified. */
  caution: string | null;
}

export interface ChecklistMaterial {
  name: string;
  originals: number;
  copies: number;
  usedBy: string[];
  note?: string;
}

export type Reply =
  | { type: 'text'; text: string; card?: AnswerCard }
  /** `kind: 'suggest'`: 您是不是想问 — the bot is unsure and asserts nothing until one is chosen. */
  | { type: 'choices'; text: string; choices: Choice[]; kind?: 'suggest' }
  | { type: 'checklist'; id: string; url: string; title: string; materials: ChecklistMaterial[] }
  | { type: 'handoff'; status: string; text: string };

export type Mode = 'bot' | 'flow' | 'queued' | 'officer';

export interface Match {
  id: string;
  title: string;
  kind: EntryKind;
  score: number;
}

/** What a user sent: typed text or a pressed button. */
export type UserInput = { text: string } | { choice: string };
