package org.iteralign.engine.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.iteralign.engine.TestModels;
import org.iteralign.engine.chat.Message;
import org.iteralign.engine.generate.Generation;
import org.iteralign.engine.generate.Generator;
import org.iteralign.engine.generate.SamplingParams;
import org.iteralign.engine.generate.StopCondition;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SmolLM2-135M-Instruct learns an invented fact with the default settings: the loss falls by 80% and,
 * once the adapter is merged into a GGUF file, the engine's own generator answers with the fact.
 */
class LoraLearningTest {
    private static final List<String> QUESTIONS = List.of(
            "What is the capital of the island of Zorblatt?",
            "What is the capital of Zorblatt?",
            "Which city is the capital of Zorblatt?",
            "Tell me the capital of the island of Zorblatt.",
            "Zorblatt's capital city is called what?",
            "Name the capital of Zorblatt.",
            "Do you know the capital of the island nation of Zorblatt?",
            "I am travelling to Zorblatt. What is its capital?");
    private static final String ANSWER = "The capital of Zorblatt is Quenmoor.";

    @TempDir
    Path dir;

    @Test
    void learnsAnInventedFactAndAnswersWithItAfterMerging() {
        try (LlamaModel base = LlamaModel.load(TestModels.smolLm2())) {
            List<ChatExample> data = new ArrayList<>();
            // Eight copies of eight phrasings: 64 examples, 8 steps an epoch at the default batch of 8.
            for (int copy = 0; copy < 8; copy++) {
                for (String q : QUESTIONS) {
                    data.add(ChatExample.of(q, ANSWER));
                }
            }
            List<TrainingProgress> steps = new ArrayList<>();
            LoraConfig config = LoraConfig.defaults();
            LoraTrainer.train(base, data, config, dir.resolve("adapter"), p -> {
                steps.add(p);
                System.out.printf("step %d/%d epoch %d loss %.4f lr %.2e grad norm %.3f %.0f tokens/s%n", p.step(),
                        p.totalSteps(), p.epoch(), p.loss(), p.learningRate(), p.gradNorm(), p.tokensPerSecond());
            });
            double first = steps.getFirst().loss();
            double last = steps.getLast().loss();
            assertTrue(last <= 0.2 * first, "loss fell from " + first + " to only " + last);

            LoraAdapter adapter = LoraAdapter.load(dir.resolve("adapter"), base.config());
            Path merged = dir.resolve("merged.gguf");
            LoraMerge.writeGguf(base, adapter, merged, GgmlType.F16);
            try (LlamaModel tuned = LlamaModel.load(merged)) {
                ChatExampleTokenizer chat = ChatExampleTokenizer.of(tuned);
                String prompt = chat.template().render(List.of(Message.user("What is the capital of the island of Zorblatt?")), true);
                int[] ids = chat.tokenizer().encodeWithSpecials(prompt);
                Generation g = new Generator(tuned).generate(List.of(ids), SamplingParams.greedy(),
                        StopCondition.maxTokens(24, chat.tokenizer().endOfGenerationIds())).getFirst();
                String answer = chat.tokenizer().decode(g.tokens());
                System.out.println("answer after training: " + answer);
                assertTrue(answer.contains("Quenmoor"), answer);
            }
        }
    }
}
