package org.iteralign.core.store;

import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.Usage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CachedModelTest {
    /** Answers by echoing, counting what reaches it, and reports items from several threads like a remote backend. */
    static final class EchoModel implements ChatModel {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String id() {
            return "echo";
        }

        @Override
        public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
            IntStream.range(0, batch.size()).parallel().forEach(i -> {
                calls.incrementAndGet();
                String text = batch.get(i) instanceof Prompt.Raw r ? r.text() : ((Prompt.Chat) batch.get(i)).messages().getLast().content();
                sink.accept(i, new Completion("echo: " + text, "stop", new Usage(3, 2)));
            });
        }
    }

    @TempDir
    Path dir;

    @Test
    void answersAreStoredOnceAndServedFromTheCache() {
        var model = new EchoModel();
        try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
            var cached = new CachedModel(model, "echo", store, "target");
            List<Prompt> prompts = IntStream.range(0, 12).mapToObj(i -> Prompt.userTurn("q" + i)).toList();
            List<Completion> first = cached.generate(prompts, Sampling.greedy(8), 1);
            assertEquals(12, model.calls.get());
            assertEquals("echo: q7", first.get(7).text());

            List<Completion> again = cached.generate(prompts, Sampling.greedy(8), 1);
            assertEquals(12, model.calls.get(), "a repeated request must not reach the backend");
            assertEquals(first, again);
            assertEquals(12, store.counter("llm_cache_hits"));
            assertEquals(12, store.count("SELECT COUNT(*) FROM llm_calls"));
            assertEquals(36, store.count("SELECT SUM(prompt_tokens) FROM llm_calls WHERE role = 'target'"));
        }
    }

    @Test
    void attemptSamplingAndModelArePartOfTheKey() {
        var model = new EchoModel();
        try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
            var cached = new CachedModel(model, "echo", store, "oracle");
            Prompt p = Prompt.userTurn("judge this");
            cached.generate(List.of(p), Sampling.greedy(8), 1);
            cached.generate(List.of(p), Sampling.greedy(8), 2);
            cached.generate(List.of(p), Sampling.greedy(9), 1);
            cached.generate(List.of(Prompt.raw("judge this")), Sampling.greedy(8), 1);
            assertEquals(4, model.calls.get());
        }
    }

    @Test
    void theCacheSurvivesReopeningTheDatabase() {
        var model = new EchoModel();
        Prompt p = Prompt.userTurn("persist me");
        try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
            new CachedModel(model, "echo", store, "target").generate(List.of(p), Sampling.greedy(8), 1);
        }
        try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
            var c = new CachedModel(model, "echo", store, "target").generate(List.of(p), Sampling.greedy(8), 1);
            assertEquals("echo: persist me", c.getFirst().text());
            assertEquals(1, model.calls.get());
        }
    }

    @Test
    void theChatModelViewUsesTheSameCache() {
        var model = new EchoModel();
        try (RunStore store = RunStore.open(dir.resolve("run.db"))) {
            var cached = new CachedModel(model, "echo", store, "target");
            ChatModel view = cached.asChatModel(1);
            assertEquals("echo: hi", view.generate(Prompt.userTurn("hi"), Sampling.greedy(8)).text());
            cached.generate(List.of(Prompt.userTurn("hi")), Sampling.greedy(8), 1);
            assertEquals(1, model.calls.get());
            assertEquals("echo", view.id());
        }
    }
}
