package org.iteralign.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.model.TinyModelTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {
    @TempDir
    Path dir;
    private LlamaModel model;

    @BeforeEach
    void load() throws IOException {
        model = LlamaModel.load(TinyModelTest.write(TinyModelTest.randomSpec("llama", true, false, 11), dir.resolve("m.gguf")));
    }

    @AfterEach
    void close() {
        model.close();
    }

    @Test
    void greedyOutputIsTheSameAloneAndInABatchOfTwenty() {
        Random rnd = new Random(5);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            prompts.add(rnd.ints(1 + rnd.nextInt(12), 0, TinyModelTest.VOCAB).toArray());
        }
        Generator g = new Generator(model);
        StopCondition stop = StopCondition.maxTokens(12, Set.of());
        List<Generation> batch = g.generate(prompts, SamplingParams.greedy(), stop);
        for (int i = 0; i < prompts.size(); i++) {
            Generation alone = g.generate(List.of(prompts.get(i)), SamplingParams.greedy(), stop).get(0);
            assertArrayEquals(alone.tokens(), batch.get(i).tokens(), "prompt " + i);
            assertEquals(Generation.FinishReason.MAX_TOKENS, batch.get(i).finishReason());
            assertEquals(12, batch.get(i).tokens().length);
        }
    }

    @Test
    void stopsAtEndOfGenerationTokensAndStreamsInOrder() {
        Generator g = new Generator(model);
        int[] prompt = {1, 2, 3};
        int[] free = g.generate(List.of(prompt), SamplingParams.greedy(), StopCondition.maxTokens(8, Set.of())).get(0).tokens();
        // Make the third generated token an end-of-generation token.
        List<Integer> streamed = new ArrayList<>();
        Generation stopped = g.generate(List.of(prompt), SamplingParams.greedy(),
                StopCondition.maxTokens(8, Set.of(free[2])), (seq, tok) -> streamed.add(tok)).get(0);
        int firstEog = 0;
        while (free[firstEog] != free[2]) {
            firstEog++;
        }
        assertEquals(Generation.FinishReason.END_OF_GENERATION, stopped.finishReason());
        assertArrayEquals(java.util.Arrays.copyOf(free, firstEog), stopped.tokens());
        assertEquals(streamed, java.util.Arrays.stream(stopped.tokens()).boxed().toList());
    }

    @Test
    void stopsWhenTheDecodedTextContainsAStopString() {
        Generator g = new Generator(model);
        int[] prompt = {4, 5};
        int[] free = g.generate(List.of(prompt), SamplingParams.greedy(), StopCondition.maxTokens(10, Set.of())).get(0).tokens();
        // Pieces are "<id>" so a stop string can straddle two tokens.
        String stop = free[3] + "><" + free[4];
        Generation g2 = g.generate(List.of(prompt), SamplingParams.greedy(),
                new StopCondition(10, Set.of(), List.of("never", stop), t -> "<" + t + ">")).get(0);
        assertEquals(Generation.FinishReason.STOP_STRING, g2.finishReason());
        assertEquals(stop, g2.stopString());
        assertTrue(g2.tokens().length <= 5);
        assertArrayEquals(java.util.Arrays.copyOf(free, g2.tokens().length), g2.tokens());
    }

    @Test
    void sampledOutputIsReproducibleForAGivenSeed() {
        Generator g = new Generator(model);
        List<int[]> prompts = List.of(new int[] {1}, new int[] {2, 3});
        SamplingParams p = SamplingParams.of(0.9f, 0.95f, 1234).withTopK(10).withPenalties(0.5f, 0.2f);
        StopCondition stop = StopCondition.maxTokens(15, Set.of());
        List<Generation> a = g.generate(prompts, p, stop);
        List<Generation> b = g.generate(prompts, p, stop);
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(a.get(i).tokens(), b.get(i).tokens());
        }
    }

    @Test
    void stopsAtTheContextLength() {
        // The tiny model's context is 64 tokens.
        Generation g = new Generator(model).generate(List.of(new int[60]), SamplingParams.greedy(),
                StopCondition.maxTokens(100, Set.of())).get(0);
        assertEquals(Generation.FinishReason.CONTEXT_FULL, g.finishReason());
        assertEquals(5, g.tokens().length);
    }
}
