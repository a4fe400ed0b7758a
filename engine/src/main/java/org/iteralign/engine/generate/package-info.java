/**
 * Using a model: batched generation with sampling and stop conditions
 * ({@link org.iteralign.engine.generate.Generator}) and log-likelihood scoring of continuations
 * ({@link org.iteralign.engine.generate.Scorer}). Works on token ids; text belongs to the tokenizer.
 */
package org.iteralign.engine.generate;
