package org.iteralign.core.serve;

import java.util.List;

import org.iteralign.engine.generate.SamplingParams;

/**
 * A chat or text completion request, checked and tokenized: one prompt per choice.
 *
 * @param promptTexts the prompts as text, echoed back by {@code echo}
 * @param seeded      whether the client chose the seed (its sampled answers must then not depend on the batch)
 * @param logprobs    how many alternatives to report per token, or -1 for no log-probabilities at all
 * @param echo        whether the prompt (and with logprobs its tokens' log-probabilities) is part of the answer
 */
record GenerationRequest(Kind kind, List<int[]> prompts, List<String> promptTexts, SamplingParams sampling,
                         boolean seeded, int maxTokens, List<String> stops, boolean stream, boolean includeUsage,
                         int logprobs, boolean echo) {

    enum Kind { CHAT, TEXT }

    GenerationRequest {
        prompts = List.copyOf(prompts);
        promptTexts = List.copyOf(promptTexts);
        stops = List.copyOf(stops);
    }

    boolean wantsLogprobs() {
        return logprobs >= 0;
    }
}
