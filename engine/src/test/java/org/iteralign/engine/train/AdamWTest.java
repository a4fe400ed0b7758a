package org.iteralign.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.model.TinyModelTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AdamW against torch.optim.AdamW's formulas, clipping, and the cosine schedule. */
class AdamWTest {
    @TempDir
    Path dir;

    @Test
    void twoStepsFollowTorchAdamW() throws IOException {
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(TinyModelTest.randomSpec("llama", true, false, 41),
                dir.resolve("m.gguf")))) {
            LoraConfig config = LoraConfig.defaults().withRank(1, 1).withTargets(EnumSet.of(Projection.V));
            LoraAdapter params = LoraAdapter.create(model.config(), config, "x");
            LoraAdapter grads = params.zerosLike();
            float[] p = params.a(0, Projection.V);
            float[] g = grads.a(0, Projection.V);
            float p0 = p[3];
            float lr = 0.01f;
            float wd = 0.1f;
            AdamW adam = new AdamW(params, wd);
            g[3] = 0.5f;
            adam.step(params, grads, lr);
            // After one step m_hat = g and v_hat = g^2, so the step is lr * sign(g).
            double p1 = p0 * (1 - lr * wd) - lr * 0.5 / (0.5 + 1e-8);
            assertEquals(p1, p[3], 1e-7);
            g[3] = -2f;
            adam.step(params, grads, lr);
            double m = 0.9 * 0.1 * 0.5 + 0.1 * -2;
            double v = 0.999 * 0.001 * 0.25 + 0.001 * 4;
            double p2 = p1 * (1 - lr * wd) - lr * (m / (1 - 0.81)) / (Math.sqrt(v / (1 - 0.999 * 0.999)) + 1e-8);
            assertEquals(p2, p[3], 1e-6);
            assertEquals(2, adam.steps());
        }
    }

    @Test
    void clippingScalesToTheMaximumNorm() throws IOException {
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(TinyModelTest.randomSpec("llama", true, false, 42),
                dir.resolve("m.gguf")))) {
            LoraAdapter grads = LoraAdapter.create(model.config(), LoraConfig.defaults().withRank(2, 2), "x").zerosLike();
            grads.a(0, Projection.Q)[0] = 3;
            grads.b(1, Projection.DOWN)[5] = 4;
            assertEquals(5, AdamW.clip(grads, 1), 1e-9);
            assertEquals(0.6, grads.a(0, Projection.Q)[0], 1e-6);
            assertEquals(0.8, grads.b(1, Projection.DOWN)[5], 1e-6);
            assertEquals(1, AdamW.clip(grads, 2), 1e-6);
            assertEquals(0.6, grads.a(0, Projection.Q)[0], 1e-6);
        }
    }

    @Test
    void cosineScheduleWarmsUpThenDecaysToZero() {
        CosineSchedule s = CosineSchedule.of(2e-4f, 100, 0.03f);
        assertEquals(3, s.warmupSteps());
        assertEquals(0, s.rate(0));
        assertEquals(2e-4 / 3, s.rate(1), 1e-10);
        assertEquals(2e-4, s.rate(3), 1e-10);
        assertEquals(2e-4 * 0.5 * (1 + Math.cos(Math.PI * 48 / 97)), s.rate(51), 1e-10);
        assertEquals(2e-4 * 0.5 * (1 + Math.cos(Math.PI * 96 / 97)), s.rate(99), 1e-10);
    }
}
