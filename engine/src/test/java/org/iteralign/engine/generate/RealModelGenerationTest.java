package org.iteralign.engine.generate;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.iteralign.engine.json.Json;
import org.iteralign.engine.TestModels;
import org.iteralign.engine.model.LlamaModel;
import org.junit.jupiter.api.Test;

/** SmolLM2 on the prompts of the llama.cpp reference vectors (token ids, so no tokenizer is involved). */
class RealModelGenerationTest {
    private static final int EOS = 2; // <|im_end|> in SmolLM2's vocabulary

    @Test
    void greedyOutputIsTheSameAloneAndInABatchOfTwenty() throws IOException {
        List<int[]> prompts = prompts().subList(0, 20);
        try (LlamaModel model = LlamaModel.load(TestModels.smolLm2())) {
            Generator g = new Generator(model);
            StopCondition stop = StopCondition.maxTokens(16, Set.of(EOS));
            long t0 = System.nanoTime();
            List<Generation> batch = g.generate(prompts, SamplingParams.greedy(), stop);
            double batchSeconds = (System.nanoTime() - t0) / 1e9;
            long alone = 0;
            int generated = 0;
            for (int i = 0; i < prompts.size(); i++) {
                long t1 = System.nanoTime();
                Generation single = g.generate(List.of(prompts.get(i)), SamplingParams.greedy(), stop).get(0);
                alone += System.nanoTime() - t1;
                assertArrayEquals(single.tokens(), batch.get(i).tokens(), "prompt " + i);
                assertEquals(single.finishReason(), batch.get(i).finishReason());
                generated += single.tokens().length;
            }
            System.out.printf("20 prompts, %d generated tokens: batched %.1f s, one at a time %.1f s (noisy: shared cores)%n",
                    generated, batchSeconds, alone / 1e9);
        }
    }

    static List<int[]> prompts() throws IOException {
        try (InputStream in = RealModelGenerationTest.class.getResourceAsStream(
                "/org/iteralign/engine/model/smollm2-llamacpp-logits.json")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> ref = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            List<int[]> prompts = new ArrayList<>();
            for (Object c : (List<?>) ref.get("cases")) {
                prompts.add(((List<?>) ((Map<?, ?>) c).get("tokens")).stream().mapToInt(o -> ((Number) o).intValue()).toArray());
            }
            return prompts;
        }
    }
}
