package org.iteralign.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.model.TinyModelTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScorerTest {
    @TempDir
    Path dir;

    @Test
    void logLikelihoodIsTheSumOfLogSoftmaxOverTheContinuation() throws IOException {
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(TinyModelTest.randomSpec("llama", true, false, 21),
                dir.resolve("m.gguf")))) {
            int[] ctx = {3, 1, 4};
            List<ScoreRequest> requests = List.of(
                    new ScoreRequest(ctx, new int[] {1, 5, 9}),
                    new ScoreRequest(new int[] {2, 7}, new int[] {1}),
                    new ScoreRequest(ctx, new int[] {2}),
                    new ScoreRequest(ctx, new int[] {6, 5}));
            List<Score> scores = new Scorer(model).logLikelihood(requests);
            for (int i = 0; i < requests.size(); i++) {
                int[] c = requests.get(i).context();
                int[] k = requests.get(i).continuation();
                int[] all = new int[c.length + k.length];
                System.arraycopy(c, 0, all, 0, c.length);
                System.arraycopy(k, 0, all, c.length, k.length);
                float[][] logits = model.forward(List.of(model.newCache()), List.of(all), LlamaModel.Logits.ALL).get(0);
                double expected = 0;
                boolean greedy = true;
                for (int t = 0; t < k.length; t++) {
                    float[] l = logits[c.length - 1 + t];
                    double z = 0;
                    for (float v : l) {
                        z += Math.exp(v);
                    }
                    expected += l[k[t]] - Math.log(z);
                    greedy &= Sampler.argmax(l) == k[t];
                }
                assertEquals(expected, scores.get(i).logLikelihood(), 1e-4, "request " + i);
                assertTrue(scores.get(i).logLikelihood() < 0);
                assertEquals(greedy, scores.get(i).greedy());
            }
            int best = Sampler.argmax(model.forward(List.of(model.newCache()), List.of(ctx), LlamaModel.Logits.LAST).get(0)[0]);
            assertTrue(new Scorer(model).logLikelihood(List.of(new ScoreRequest(ctx, new int[] {best}))).get(0).greedy());
        }
    }

    @Test
    void contextsSharingLeadingTokensWithEarlierCallsScoreAsIfAlone() throws IOException {
        try (LlamaModel model = LlamaModel.load(TinyModelTest.write(TinyModelTest.randomSpec("llama", true, false, 22),
                dir.resolve("m.gguf")))) {
            int[] preamble = {5, 8, 13, 20, 3, 4};
            List<ScoreRequest> first = List.of(
                    new ScoreRequest(concat(preamble, new int[] {7, 2}), new int[] {1, 9}),
                    new ScoreRequest(concat(preamble, new int[] {7, 11}), new int[] {6}));
            List<ScoreRequest> second = List.of(
                    new ScoreRequest(concat(preamble, new int[] {7, 2, 19}), new int[] {2, 2}),
                    new ScoreRequest(preamble, new int[] {7, 2}),
                    new ScoreRequest(new int[] {5, 8}, new int[] {4}),
                    new ScoreRequest(new int[] {17}, new int[] {4}));
            Scorer reused = new Scorer(model);
            reused.logLikelihood(first);
            assertEquals(8 + 1 + 1, reused.tokensRun(), "the second context runs only its last token, after the shared seven");
            List<Score> scores = reused.logLikelihood(second);
            for (int i = 0; i < second.size(); i++) {
                Score alone = new Scorer(model).logLikelihood(List.of(second.get(i))).get(0);
                assertEquals(alone.logLikelihood(), scores.get(i).logLikelihood(), 1e-5, "request " + i);
                assertEquals(alone.greedy(), scores.get(i).greedy(), "request " + i);
            }
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
