package org.iteralign.core.model;

import java.util.Arrays;
import java.util.List;

/** Any backend that can answer prompts: embedded engine, OpenAI-compatible server, Anthropic. */
public interface ChatModel extends AutoCloseable {
    /** The model spec this instance serves, e.g. {@code openai:gpt-4o-mini}; part of every cache key. */
    String id();

    /**
     * Answers every prompt of the batch, handing each completion to {@code sink} as it finishes, and
     * returns when all are done. How the backend batches or parallelises internally is its own business.
     *
     * @throws ModelCallException when a call fails for good (after the backend's retries)
     */
    void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink);

    default List<Completion> generate(List<Prompt> batch, Sampling sampling) {
        Completion[] out = new Completion[batch.size()];
        generate(batch, sampling, (i, c) -> out[i] = c);
        return Arrays.asList(out);
    }

    default Completion generate(Prompt prompt, Sampling sampling) {
        return generate(List.of(prompt), sampling).getFirst();
    }

    @Override
    default void close() {}
}
