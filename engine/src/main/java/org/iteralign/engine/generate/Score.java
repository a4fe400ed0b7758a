package org.iteralign.engine.generate;

/**
 * @param logLikelihood sum over the continuation's tokens of log p(token | everything before it), natural log
 * @param greedy        whether every continuation token was the model's most likely choice (lm-eval's "is_greedy")
 */
public record Score(double logLikelihood, boolean greedy) {}
