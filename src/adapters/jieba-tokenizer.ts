/**
 * Tokenizer backed by nodejieba.
 *
 * nodejieba keeps one dictionary per process, loaded once. Its full dictionary (349k words) and
 * keyword-extraction tables cost about 200 MB of memory; Yici loads a trimmed copy instead —
 * the words seen at least MIN_FREQUENCY times in jieba's corpus (about 105k), no IDF table, no
 * stop words (we use neither) — which takes about 75 MB and a quarter of the load time. Every
 * name and lexicon word of the knowledge base is kept whole on top (`withWords`, see
 * dictionary-tokenizer.ts), so the domain vocabulary is never lost by the trimming. Words are
 * never inserted into nodejieba itself: its dictionary is process-wide, and an editor's preview
 * engine must not change how the live engine segments.
 */
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import nodejieba from 'nodejieba';
import { withDictionary } from '../nlp/dictionary-tokenizer.js';
import type { Tokenizer } from '../nlp/tokenizer.js';

export const MIN_FREQUENCY = 10;

let loaded = false;

function writeAtomically(file: string, content: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, file);
}

/** Writes (once per jieba version) the trimmed dictionary into the system temp folder. */
function trimmedDictionaries(): { dict: string; idfDict: string; stopWordDict: string } {
  const require = createRequire(import.meta.url);
  const source = join(dirname(require.resolve('nodejieba/package.json')), 'submodules/cppjieba/dict/jieba.dict.utf8');
  const { size } = statSync(source);
  const folder = join(tmpdir(), 'yici-jieba');
  mkdirSync(folder, { recursive: true });
  const dict = join(folder, `dict-${size}-min${MIN_FREQUENCY}.utf8`);
  const idfDict = join(folder, 'idf-minimal.utf8');
  const stopWordDict = join(folder, 'stop-minimal.utf8');
  if (!existsSync(dict)) {
    const kept = readFileSync(source, 'utf8')
      .split('\n')
      .filter((line) => Number(line.split(' ')[1]) >= MIN_FREQUENCY);
    writeAtomically(dict, `${kept.join('\n')}\n`);
  }
  // cppjieba refuses empty tables, so each gets one harmless line.
  if (!existsSync(idfDict)) writeAtomically(idfDict, '的 1.0\n');
  if (!existsSync(stopWordDict)) writeAtomically(stopWordDict, '的\n');
  return { dict, idfDict, stopWordDict };
}

export function createJiebaTokenizer(): Tokenizer {
  if (!loaded) {
    nodejieba.load(trimmedDictionaries());
    loaded = true;
  }
  // Without its HMM, jieba guesses no unknown word: what it returns whole is in its dictionary.
  return withDictionary((text) => nodejieba.cut(text, true), [], nouns, (text) => nodejieba.cut(text, false));
}

/**
 * jieba's tags for words that say what something is about: 名词, 其他专名, 名动词, 机构名, 名语素, 简称,
 * 人名 (its tagger reads 养老金 as one), and x — a word its trimmed dictionary does not hold, found by
 * its HMM: rare words, mostly names of things (婚假, 海葬). 地名 (梧州), 处所词 (网上), 时间词 (周末),
 * 习用语 and 成语 (怎么办) are left out: they say where, when or how, not which matter.
 */
const NOUN_TAGS = new Set(['n', 'nz', 'vn', 'nt', 'ng', 'j', 'nr', 'x']);

/**
 * An unknown word of two characters that begins with a modal verb (能批, 要批, 能领, 需交) is the
 * modal and a one-character verb its HMM joined, not the name of something.
 */
const MODAL_AND_VERB = /^[能会要可想需得该][\p{Script=Han}]$/u;

/** Nor one of a one-character thing and the modal after it (证要, 卡要): the thing alone is too short to name anything. */
const THING_AND_MODAL = /^[\p{Script=Han}][能会要可需得该]$/u;

/** 几 and a measure (几楼, 几号, 几点) asks how many or which: a question word, whatever the tagger says. */
const HOW_MANY = /^几[\p{Script=Han}]$/u;

function nouns(text: string): string[] {
  const out: string[] = [];
  for (const { word, tag } of nodejieba.tag(text)) {
    if (!NOUN_TAGS.has(tag) || HOW_MANY.test(word)) continue;
    if (tag === 'x' && (MODAL_AND_VERB.test(word) || THING_AND_MODAL.test(word))) continue;
    out.push(word);
  }
  return out;
}
