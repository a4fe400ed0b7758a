package org.iteralign.engine.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iteralign.engine.TestModels;
import org.junit.jupiter.api.Test;

/**
 * Prints the engine's speed next to llama.cpp's, measured in the same run (so both see the same machine
 * load), and the weight-read bandwidth decode implies. Prints, never asserts. Opt in with
 * {@code -Diteralign.bench=true}; the llama.cpp side also needs {@code -Diteralign.python}.
 */
class SpeedBenchmarkTest {
    private static final int PROMPT = 128;
    private static final int DECODE = 64;
    private static final int BATCH = 20;

    @Test
    void printSpeedAgainstLlamaCpp() throws IOException, InterruptedException {
        assumeTrue(Boolean.getBoolean("iteralign.bench"), "benchmark not requested: -Diteralign.bench=true");
        Path file = TestModels.smolLm2();
        int[] prompt = new int[PROMPT];
        for (int i = 0; i < PROMPT; i++) {
            prompt[i] = 100 + 7 * i;
        }
        double prefill = 0;
        double decode = 0;
        double batched = 0;
        try (LlamaModel model = LlamaModel.load(file)) {
            for (int round = 0; round < 3; round++) {
                KvCache cache = model.newCache();
                long t0 = System.nanoTime();
                float[] logits = model.forward(List.of(cache), List.of(prompt), LlamaModel.Logits.LAST).get(0)[0];
                long t1 = System.nanoTime();
                for (int i = 0; i < DECODE; i++) {
                    int next = ReferenceLogitsTest.argmax(logits);
                    logits = model.forward(List.of(cache), List.of(new int[] {next}), LlamaModel.Logits.LAST).get(0)[0];
                }
                long t2 = System.nanoTime();
                prefill = Math.max(prefill, PROMPT / ((t1 - t0) / 1e9));
                decode = Math.max(decode, DECODE / ((t2 - t1) / 1e9));

                List<KvCache> caches = new ArrayList<>();
                List<int[]> step = new ArrayList<>();
                for (int s = 0; s < BATCH; s++) {
                    caches.add(model.newCache());
                    step.add(new int[] {100 + s});
                }
                model.forward(caches, step, LlamaModel.Logits.LAST);
                long t3 = System.nanoTime();
                for (int i = 0; i < DECODE / 4; i++) {
                    model.forward(caches, step, LlamaModel.Logits.LAST);
                }
                batched = Math.max(batched, BATCH * (DECODE / 4) / ((System.nanoTime() - t3) / 1e9));
            }
        }
        double gigabytes = Files.size(file) / 1e9;
        System.out.printf("engine: prefill %.1f tok/s, decode %.1f tok/s (%.1f GB/s of weights), %d-sequence decode"
                + " %.1f tok/s%n", prefill, decode, decode * gigabytes, BATCH, batched);
        String python = System.getProperty("iteralign.python", "");
        if (python.isBlank()) {
            System.out.println("llama.cpp: not measured (-Diteralign.python not set)");
            return;
        }
        // One and two threads: on a loaded machine llama.cpp's two threads wait on each other at every
        // barrier, so its one-thread figure is often the fairer peer.
        for (String threads : new String[] {"1", "2"}) {
            Process p = new ProcessBuilder(python, "src/test/python/llamacpp_speed.py", file.toString(), threads)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            Matcher m = Pattern.compile("\"prefill_tps\": ([0-9.]+), \"decode_tps\": ([0-9.]+)").matcher(out);
            if (!m.find()) {
                System.out.println("llama.cpp: no result (" + out.strip() + ")");
                continue;
            }
            double lp = Double.parseDouble(m.group(1));
            double ld = Double.parseDouble(m.group(2));
            System.out.printf("llama.cpp (%s thread(s)): prefill %.1f tok/s, decode %.1f tok/s (%.1f GB/s);"
                            + " engine/llama.cpp: prefill %.2fx, decode %.2fx; memory reads top out near 18 GB/s%n",
                    threads, lp, ld, ld * gigabytes, prefill / lp, decode / ld);
        }
    }
}
