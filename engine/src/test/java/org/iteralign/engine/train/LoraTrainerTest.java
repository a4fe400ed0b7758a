package org.iteralign.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.model.TinyModelTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop on a tiny model: it learns, reports, and resumes from a checkpoint exactly. */
class LoraTrainerTest {
    @TempDir
    Path dir;

    private static List<TrainingExample> data(int n, long seed) {
        Random rnd = new Random(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int length = 6 + rnd.nextInt(8);
            int[] tokens = new int[length];
            boolean[] target = new boolean[length];
            for (int t = 0; t < length; t++) {
                tokens[t] = rnd.nextInt(TinyModelTest.VOCAB);
                target[t] = t >= length / 2;
            }
            out.add(new TrainingExample(tokens, target));
        }
        return out;
    }

    @Test
    void memorisesTinyDataAndReportsEveryStep() throws IOException {
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(TinyModelTest.randomSpec("llama", true, false, 51),
                dir.resolve("m.gguf")))) {
            LoraConfig config = LoraConfig.defaults().withLearningRate(1e-2f).withEpochs(30).withBatch(2, 16);
            List<TrainingProgress> steps = new ArrayList<>();
            LoraAdapter adapter = LoraTrainer.trainTokenized(model, data(4, 1), config, dir.resolve("out"), steps::add);
            assertEquals(60, steps.size());
            for (int i = 0; i < steps.size(); i++) {
                TrainingProgress p = steps.get(i);
                assertEquals(i + 1, p.step());
                assertEquals(60, p.totalSteps());
                assertEquals(i / 2 + 1, p.epoch());
                assertTrue(p.tokensPerSecond() > 0 && p.gradNorm() > 0);
            }
            assertEquals(0, steps.getFirst().learningRate());
            assertEquals(1e-2, steps.get(2).learningRate(), 1e-6);
            double first = steps.get(0).loss() + steps.get(1).loss();
            double last = steps.get(58).loss() + steps.get(59).loss();
            assertTrue(last < 0.1 * first, "loss went from " + first + " to " + last);
            assertTrue(Files.isRegularFile(dir.resolve("out/adapter_model.safetensors")));
            LoraAdapter saved = LoraAdapter.load(dir.resolve("out"), model.config());
            assertArrayEquals(adapter.b(1, Projection.DOWN), saved.b(1, Projection.DOWN));
        }
    }

    @Test
    void resumedRunEndsWithTheSameAdapterAsAnUninterruptedOne() throws IOException {
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(TinyModelTest.randomSpec("qwen2", false, false, 52),
                dir.resolve("m.gguf")))) {
            LoraConfig config = LoraConfig.defaults().withLearningRate(5e-3f).withEpochs(2).withBatch(2, 12)
                    .withDropout(0.1f).withCheckpointEvery(2);
            List<TrainingExample> data = data(6, 2);
            LoraAdapter whole = LoraTrainer.trainTokenized(model, data, config, dir.resolve("whole"), TrainingListener.NONE);

            Path out = dir.resolve("interrupted");
            RuntimeException crash = new IllegalStateException("simulated crash");
            assertThrows(IllegalStateException.class, () -> LoraTrainer.trainTokenized(model, data, config, out, p -> {
                if (p.step() == 5) {
                    throw crash;
                }
            }));
            assertTrue(Files.isRegularFile(out.resolve("checkpoint/optimizer.bin")));
            LoraConfig otherRank = config.withRank(8, 16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LoraTrainer.trainTokenized(model, data, otherRank, out, TrainingListener.NONE));
            assertTrue(e.getMessage().contains("other settings"), e.getMessage());
            List<Integer> resumedSteps = new ArrayList<>();
            LoraAdapter resumed = LoraTrainer.trainTokenized(model, data, config, out, p -> resumedSteps.add(p.step()));
            assertEquals(List.of(5, 6), resumedSteps);
            for (int i = 0; i < whole.tensors().size(); i++) {
                assertArrayEquals(whole.tensors().get(i), resumed.tensors().get(i), "tensor " + i);
            }
            assertTrue(Files.notExists(out.resolve("checkpoint")));
        }
    }
}
