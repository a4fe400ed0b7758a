package org.iteralign.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.iteralign.engine.TestModels;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.model.TinyModelTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training pass against the engine's inference pass (logits) and against central finite differences
 * of an independent double-precision loss (gradients of every A and B of every projection kind).
 */
class TrainableLlamaTest {
    @TempDir
    Path dir;

    @Test
    void logitsEqualTheInferencePassOnTinyModels() throws IOException {
        for (TinyModelTest.Spec spec : List.of(TinyModelTest.randomSpec("llama", true, false, 1),
                TinyModelTest.randomSpec("qwen2", false, true, 2))) {
            try (LlamaModel model = LlamaModel.load(TinyModelTest.write(spec, dir.resolve(spec.arch() + ".gguf")))) {
                assertSameLogits(model, new int[] {3, 17, 0, 22, 5, 5, 9, 1, 12}, 1e-5);
            }
        }
    }

    @Test
    void logitsEqualTheInferencePassOnSmolLm2() {
        try (LlamaModel model = LlamaModel.load(TestModels.smolLm2())) {
            assertSameLogits(model, new int[] {1, 9690, 198, 2683, 359, 253, 5356, 5646, 11173, 3365, 3511, 28, 7018, 411,
                    2, 198, 1, 4093, 198, 1780, 314, 260, 3575, 282, 4649, 47, 2, 198}, 5e-4);
        }
    }

    /**
     * Equal to float rounding: the two sum their matrix products in different orders, and thirty layers
     * of SmolLM2 grow that to about 1e-4.
     */
    private static void assertSameLogits(LlamaModel model, int[] tokens, double tolerance) {
        LoraAdapter adapter = LoraAdapter.create(model.config(), LoraConfig.defaults(), "test");
        float[][] expected = model.forward(List.of(model.newCache()), List.of(tokens), LlamaModel.Logits.ALL).get(0);
        float[][] got = new TrainableLlama(FrozenBase.of(model)).logits(tokens, adapter);
        double worst = 0;
        for (int p = 0; p < tokens.length; p++) {
            for (int v = 0; v < expected[p].length; v++) {
                worst = Math.max(worst, Math.abs(expected[p][v] - got[p][v]) / Math.max(1, Math.abs(expected[p][v])));
            }
        }
        assertTrue(worst <= tolerance, "largest relative logit difference " + worst);
    }

    @Test
    void gradientsMatchFiniteDifferencesLlamaGqaTied() throws IOException {
        checkGradients(TinyModelTest.randomSpec("llama", true, false, 11), 0, 4);
    }

    @Test
    void gradientsMatchFiniteDifferencesQwen2BiasesNeoxRopeFactors() throws IOException {
        checkGradients(TinyModelTest.randomSpec("qwen2", false, true, 12), 0, 5);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithDropout() throws IOException {
        checkGradients(TinyModelTest.randomSpec("llama", false, false, 13), 0.3f, 6);
    }

    /**
     * For each projection kind and each of A and B, the analytic gradient of a few sampled entries per
     * layer against (L(theta + h) - L(theta - h)) / 2h of the double-precision reference:
     * |g - fd| / |fd| over the sampled vector must stay under 1e-3.
     */
    private void checkGradients(TinyModelTest.Spec spec, float dropout, long seed) throws IOException {
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(spec, dir.resolve("m" + seed + ".gguf")))) {
            LoraConfig config = LoraConfig.defaults().withRank(4, 8).withSeed(seed);
            LoraAdapter adapter = LoraAdapter.create(model.config(), config, "tiny");
            Random rnd = new Random(seed);
            // B starts at zero, where dL/dA vanishes; a trained-looking B exercises both.
            for (int l = 0; l < model.config().blockCount(); l++) {
                for (Projection p : Projection.values()) {
                    float[] b = adapter.b(l, p);
                    for (int i = 0; i < b.length; i++) {
                        b[i] = (float) (rnd.nextGaussian() * 0.2);
                    }
                }
            }
            List<TrainingExample> batch = List.of(
                    example(new int[] {1, 7, 3, 19, 4, 4, 11, 2}, 3),
                    example(new int[] {1, 22, 9, 0, 15}, 2));
            long dropoutSeed = 99;
            LoraAdapter grads = adapter.zerosLike();
            double loss = new TrainableLlama(FrozenBase.of(model)).lossAndGradients(batch, adapter, grads, 1, dropout, dropoutSeed);
            LoraReference reference = new LoraReference(spec, model.config());
            double refLoss = reference.loss(batch, adapter, dropout, dropoutSeed);
            assertEquals(refLoss, loss, 1e-5 * Math.abs(refLoss), "loss");
            for (Projection p : Projection.values()) {
                for (boolean isA : new boolean[] {true, false}) {
                    double diff = 0;
                    double norm = 0;
                    for (int l = 0; l < model.config().blockCount(); l++) {
                        float[] param = isA ? adapter.a(l, p) : adapter.b(l, p);
                        float[] grad = isA ? grads.a(l, p) : grads.b(l, p);
                        for (int n = 0; n < 6; n++) {
                            int i = rnd.nextInt(param.length);
                            float saved = param[i];
                            float plus = saved + 1e-3f;
                            float minus = saved - 1e-3f;
                            param[i] = plus;
                            double lp = reference.loss(batch, adapter, dropout, dropoutSeed);
                            param[i] = minus;
                            double lm = reference.loss(batch, adapter, dropout, dropoutSeed);
                            param[i] = saved;
                            double fd = (lp - lm) / ((double) plus - minus);
                            diff += (grad[i] - fd) * (grad[i] - fd);
                            norm += fd * fd;
                        }
                    }
                    double rel = Math.sqrt(diff / norm);
                    assertTrue(norm > 0 && rel < 1e-3, p + (isA ? " A" : " B") + ": relative error " + rel);
                }
            }
        }
    }

    /** The last {@code targets} tokens are targets. */
    private static TrainingExample example(int[] tokens, int targets) {
        boolean[] t = new boolean[tokens.length];
        for (int i = tokens.length - targets; i < tokens.length; i++) {
            t[i] = true;
        }
        return new TrainingExample(tokens, t);
    }
}
