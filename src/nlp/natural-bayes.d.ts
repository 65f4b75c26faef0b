// natural's naive Bayes classifier module on its own (see aspects.ts): typed as the class that
// natural's classifiers/index.d.ts declares.
declare module 'natural/lib/natural/classifiers/bayes_classifier.js' {
  import type { BayesClassifier } from 'natural/lib/natural/classifiers/index.js';
  const Bayes: typeof BayesClassifier;
  export default Bayes;
}
