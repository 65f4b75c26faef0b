/**
 * 诉求 among refusals with the model of 诉求 wording (nlp/appeal-model.ts): its training messages,
 * plus the labelled questions outside the knowledge base that the gate ships with (gate-examples.ts)
 * as more questions — those the cue rules already read as a 诉求 left out, since some of the fit
 * sets' outside questions are complaints. About 4,500 messages: training takes ~0.2 s of CPU, so a
 * server spreads it over event-loop turns after it starts (prepareAppealModel); a message that
 * needs the model before that finishes the rest at once.
 */
import { SHIPPED_EXAMPLES } from '../knowledge/gate-examples.js';
import { appealWhenRefused, type AppealKind } from '../nlp/appeal.js';
import { APPEAL_LABELS, appealModelBuilder, type AppealModel } from '../nlp/appeal-model.js';
import { APPEAL_TRAINING } from '../nlp/appeal-training.js';

let model: AppealModel | undefined;
const builder = appealModelBuilder();

/** The training, one message per step. */
function* steps(): Generator<void> {
  for (const label of APPEAL_LABELS) {
    for (const text of APPEAL_TRAINING[label]) yield builder.add(label, text);
  }
  // The examples are the engine's analysed texts: already normalised.
  for (const e of SHIPPED_EXAMPLES) {
    if (e.e.length === 0 && appealWhenRefused(e.t) === null) builder.add('question', e.t, true);
    yield;
  }
}
const training = steps();

export function appealModel(): AppealModel {
  if (!model) {
    while (!training.next().done);
    model = builder.build();
  }
  return model;
}

/** Trains in slices of about `sliceMs` of the event loop, yielding in between. */
export async function prepareAppealModel(sliceMs = 4): Promise<void> {
  while (!model) {
    const until = performance.now() + sliceMs;
    let done = false;
    while (!done && performance.now() < until) done = training.next().done === true;
    if (done) model = builder.build();
    else await new Promise((r) => setImmediate(r));
  }
}

/** appealWhenRefused with the shipped model. */
export const readRefusedAppeal = (text: string): AppealKind | 'courtesy' | null => appealWhenRefused(text, appealModel());
