/**
 * 「问清是哪一种」: some matters come in kinds that a question often does not name — a parent's
 * pension is either the employee scheme (职工基本养老保险) or the residents' scheme (城乡居民基本养老保险).
 * Answering the one that ranks first would tell many citizens the wrong rules. Groups declared under
 * `askWhich` in knowledge/settings.yaml say which entries belong to which kind, the everyday words
 * that name each kind, and the entry that explains the difference and offers each kind as a button.
 *
 * Pure: decides on the question's text and the conversation's current entry only.
 */
import type { Settings } from './schema.js';

export type AskWhichGroup = Settings['askWhich'][number];

export type AskWhichDecision =
  /** Not a group's matter, or the question (or the conversation) already says which kind. */
  | { type: 'keep'; entryId: string }
  /** The question names another kind than the one ranked first: answer that kind. */
  | { type: 'switch'; entryId: string; group: AskWhichGroup }
  /** The question does not say which kind: answer the group's explaining entry, which asks. */
  | { type: 'ask'; entryId: string; group: AskWhichGroup };

/**
 * The kinds a text names, by the group's words; a longer word wins over the shorter ones inside it
 * (没有单位 names the residents' scheme, although it contains 单位).
 */
export function kindsNamed(group: AskWhichGroup, text: string): Set<number> {
  const words = group.options.flatMap((o, kind) => o.words.map((word) => ({ word, kind }))).sort((a, b) => b.word.length - a.word.length);
  const covered = new Array<boolean>(text.length).fill(false);
  const named = new Set<number>();
  for (const { word, kind } of words) {
    let at = text.indexOf(word);
    while (at >= 0) {
      if (!covered.slice(at, at + word.length).some(Boolean)) {
        covered.fill(true, at, at + word.length);
        named.add(kind);
      }
      at = text.indexOf(word, at + 1);
    }
  }
  return named;
}

/**
 * What to answer instead of `rankedFirst` (an entry the engine would answer), given the question's
 * normalised text and the entry the conversation is about.
 */
export function askWhich(groups: readonly AskWhichGroup[], rankedFirst: string, text: string, currentEntryId?: string): AskWhichDecision {
  for (const group of groups) {
    const kindOf = (id: string | undefined) => (id === undefined ? -1 : group.options.findIndex((o) => o.entries.includes(id)));
    const ranked = kindOf(rankedFirst);
    if (rankedFirst === group.ask) {
      // The explaining entry, yet the question names one kind (「交过职工养老保险，现在怎么领」): answer that kind.
      const named = kindsNamed(group, text);
      return named.size === 1 ? { type: 'switch', entryId: group.options[[...named][0]!]!.entries[0]!, group } : { type: 'keep', entryId: rankedFirst };
    }
    if (ranked < 0) continue;
    const named = kindsNamed(group, text);
    if (named.size === 1) {
      const kind = [...named][0]!;
      return kind === ranked ? { type: 'keep', entryId: rankedFirst } : { type: 'switch', entryId: group.options[kind]!.entries[0]!, group };
    }
    if (named.size === 0) {
      // A follow-up in a conversation already about one kind stays with that kind.
      const current = kindOf(currentEntryId);
      if (current === ranked) return { type: 'keep', entryId: rankedFirst };
      if (current >= 0) return { type: 'switch', entryId: group.options[current]!.entries[0]!, group };
    }
    return { type: 'ask', entryId: group.ask, group };
  }
  return { type: 'keep', entryId: rankedFirst };
}
