/**
 * The aspect classifier loads natural's BayesClassifier module on its own instead of the package's
 * index (see src/nlp/aspects.ts for the measured reasons). This holds that the class it loads is the
 * very class natural's public entry exports: if an upgrade moves or replaces the module, this fails
 * instead of the classifier silently running other code.
 */
import { describe, expect, it } from 'vitest';
import Bayes from 'natural/lib/natural/classifiers/bayes_classifier.js';

describe("natural's BayesClassifier as the aspect classifier loads it", () => {
  it('is the class of the public entry, natural.BayesClassifier', async () => {
    const natural = (await import('natural')) as unknown as { BayesClassifier: unknown; default?: { BayesClassifier: unknown } };
    const exported = natural.BayesClassifier ?? natural.default?.BayesClassifier;
    expect(exported).toBeTypeOf('function');
    expect(Bayes).toBe(exported);
  });
});
