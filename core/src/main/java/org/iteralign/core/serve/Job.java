package org.iteralign.core.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.iteralign.engine.tokenizer.Tokenizer;

/**
 * One request inside the {@link EngineBatcher}: the batcher's thread feeds its choices' tokens in and posts
 * {@link Event}s, which the request's own HTTP thread takes out and writes, so a slow client never holds up
 * the batch it is part of.
 */
final class Job {
    sealed interface Event {}

    /** New answer text of one choice (streamed requests without logprobs only). */
    record Delta(int choice, String text) implements Event {}

    /** Every choice is complete; {@code batchSequences} is how many sequences the engine ran together. */
    record Finished(List<Choice> choices, int batchSequences) implements Event {}

    /** The engine failed, or the server is stopping; the message is safe to show the client. */
    record Failed(String message, boolean serverStopping) implements Event {
        static Failed stopping() {
            return new Failed("the server is shutting down", true);
        }
    }

    /**
     * One finished answer.
     *
     * @param completion the generated token ids the answer counts (up to the stop string)
     * @param scores     null unless logprobs were asked for; else entry i scores token i + 1 of prompt + completion
     */
    record Choice(String text, String finishReason, int[] prompt, int[] completion, List<TokenLogprobs.Scored> scores) {}

    final GenerationRequest request;
    final List<ChoiceText> texts = new ArrayList<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean abandoned;

    Job(GenerationRequest request, Tokenizer tokenizer) {
        this.request = request;
        for (int i = 0; i < request.prompts().size(); i++) texts.add(new ChoiceText(tokenizer, request.stops()));
    }

    /** Whether text is passed on as it is generated; log-probabilities are only known once the answer is complete. */
    boolean streamsDeltas() {
        return request.stream() && !request.wantsLogprobs();
    }

    void post(Event event) {
        events.add(event);
    }

    /** The next event, waiting for it; null if none came within {@code millis}. */
    Event next(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The client went away: the batcher may stop generating for it. */
    void abandon() {
        abandoned = true;
    }

    boolean abandoned() {
        return abandoned;
    }
}
