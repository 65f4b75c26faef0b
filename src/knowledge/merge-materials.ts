/**
 * A bundle's materials, merged across its items: one line per document even when several items
 * need it, saying which items use it (一套材料). Pure.
 *
 * Two materials are the same document when they share a `ref` (id-card, household-register …),
 * or, without refs, when their names are equal after normalisation. Counts take the largest
 * number any item asks for: one window keeps one set (一窗受理). A material that is optional in
 * one item but required in another is required.
 */
import { normalize } from '../nlp/normalize.js';
import type { BundleEntry, Entry, ItemEntry, Material } from './schema.js';

export interface MergedMaterial {
  key: string;
  name: string;
  originals: number;
  copies: number;
  required: boolean;
  /** Titles of the items that need it, in the bundle's order. */
  usedBy: string[];
  usedByIds: string[];
  substitute?: Material['substitute'];
  /** Situations in which it is needed, from the items' `when`; empty when some item always needs it. */
  when: string[];
  notes: string[];
  /** Other names the items give the same document. */
  otherNames: string[];
}

/** Each material's key, worked out once: the same materials are merged whenever the bundle is shown. */
const keys = new WeakMap<Material, string>();

function keyOf(m: Material): string {
  let key = keys.get(m);
  if (key === undefined) keys.set(m, (key = m.ref ? `ref:${m.ref}` : `name:${normalize(m.name)}`));
  return key;
}

export function mergeMaterials(items: readonly ItemEntry[]): MergedMaterial[] {
  const merged = new Map<string, MergedMaterial>();
  // A document one item always needs is needed, whatever situations other items attach to it.
  const always = new Set<string>();
  for (const item of items) {
    for (const m of item.materials) {
      const key = keyOf(m);
      if (m.required && !m.when) always.add(key);
      const seen = merged.get(key);
      if (!seen) {
        merged.set(key, {
          key,
          name: m.name,
          originals: m.originals,
          copies: m.copies,
          required: m.required,
          usedBy: [item.title],
          usedByIds: [item.id],
          ...(m.substitute ? { substitute: m.substitute } : {}),
          when: m.when ? [m.when] : [],
          notes: m.note ? [m.note] : [],
          otherNames: [],
        });
        continue;
      }
      seen.originals = Math.max(seen.originals, m.originals);
      seen.copies = Math.max(seen.copies, m.copies);
      seen.required ||= m.required;
      if (!seen.usedByIds.includes(item.id)) {
        seen.usedBy.push(item.title);
        seen.usedByIds.push(item.id);
      }
      // A substitute is only safe to offer if every item accepts it.
      if (!m.substitute) delete seen.substitute;
      if (m.when && !seen.when.includes(m.when)) seen.when.push(m.when);
      if (m.note && !seen.notes.includes(m.note)) seen.notes.push(m.note);
      if (m.name !== seen.name && !seen.otherNames.includes(m.name)) seen.otherNames.push(m.name);
    }
  }
  return [...merged.values()].map((m) => (always.has(m.key) ? { ...m, when: [] } : m));
}

/** The items of a bundle, in its order, skipping ids that do not resolve to items. */
export function bundleItems(bundle: BundleEntry, lookup: (id: string) => Entry | undefined): ItemEntry[] {
  return bundle.items.map(lookup).filter((e): e is ItemEntry => e?.kind === 'item');
}
