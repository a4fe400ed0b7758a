package org.iteralign.core.model;

import java.util.List;

/**
 * A model that can say how likely a text is, as multiple-choice evaluation needs: for each request the sum,
 * over the continuation's tokens, of log-softmax of the model's logits at temperature 1 (natural log).
 *
 * <p>Callers put the requests that share a context next to each other in one batch (all candidates of a
 * question), so a backend that caches key/value state can reuse the shared prefix.
 */
public interface ScoringModel extends AutoCloseable {
    /** The model spec this instance scores with, e.g. {@code openai-compatible:http://127.0.0.1:8000/v1#m}. */
    String id();

    /**
     * @return one log-likelihood per request, in order; each is at most 0
     * @throws ModelCallException when the backend cannot score (after its retries), or scores wrongly
     */
    double[] logLikelihood(List<ScoreRequest> batch);

    @Override
    default void close() {}
}
