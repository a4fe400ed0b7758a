package org.iteralign.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.iteralign.engine.json.Json;
import org.iteralign.engine.model.LlamaConfig;
import org.iteralign.engine.model.LlamaModel;
import org.iteralign.engine.train.LoraAdapter;
import org.iteralign.engine.train.LoraConfig;
import org.iteralign.engine.train.LoraTrainer;
import org.iteralign.engine.train.TrainingExample;
import org.iteralign.engine.train.TrainingProgress;

/**
 * LoRA training speed and peak memory of our trainer against PyTorch + PEFT on the CPU, on the same GGUF
 * (PEFT's side dequantises it to fp32 through transformers), the same token sequences, the same batches and
 * the same LoRA settings (rank 16, alpha 32, dropout 0.05, all seven projections, AdamW, gradients clipped to
 * norm 1). Each side runs in its own process, so each peak resident size is that side's alone. The first
 * {@link #WARMUP_STEPS} steps (JIT compilation, first-touch allocation) are not timed on either side.
 */
final class TrainSuite {
    private static final int SEQUENCE = 256;
    private static final int BATCH = 4;
    /**
     * Tokens per forward/backward pass: the batch's gradient accumulates over two passes of two sequences,
     * the same step as one pass of four, with half the activations held (about 1 MB a token) and so under
     * the 3 GB target with room to spare.
     */
    private static final int MICRO_BATCH_TOKENS = 512;
    private static final int WARMUP_STEPS = 2;
    private static final long PEER_TIMEOUT_SECONDS = 3600;

    private final Path model;
    private final Path python;
    private final Path script;
    private final int steps;
    private final int threads;

    TrainSuite(Path model, Path python, Path script, int steps, int threads) {
        this.model = model;
        this.python = python;
        this.script = script;
        this.steps = steps;
        this.threads = threads;
    }

    /** The suite runs in a JVM of its own: the engine's peak resident size is read from this process. */
    void run() throws IOException, InterruptedException {
        LoraConfig lora = LoraConfig.defaults().withEpochs(1).withMaxLength(SEQUENCE)
                .withBatch(BATCH, MICRO_BATCH_TOKENS).withSchedule(0, 0, 1);
        System.out.printf(Locale.ROOT, "model %s; %d steps of %d sequences x %d tokens (the engine in passes of %d tokens);"
                        + " LoRA rank %d alpha %.0f on %d projections, cosine learning rate from %.0e; %d cores, Java heap %s%n",
                model.getFileName(), steps, BATCH, SEQUENCE, MICRO_BATCH_TOKENS, lora.rank(), lora.alpha(),
                lora.targets().size(), (double) lora.learningRate(), Runtime.getRuntime().availableProcessors(), heapSetting());
        double peakGflops = MachineLimits.matmulGflops(2);
        Path work = Files.createTempDirectory("iteralign-train-bench");
        try {
            Path adapterDir = work.resolve("adapter");
            List<TrainingExample> examples;
            Result engine;
            double flopsPerToken;
            AdapterProbe probe;
            try (LlamaModel base = LlamaModel.load(model)) {
                examples = sequences(base.config().vocabularySize());
                flopsPerToken = flopsPerToken(base.config());
                engine = trainEngine(base, examples, lora, adapterDir);
                probe = AdapterProbe.record(base, LoraAdapter.load(adapterDir, base.config()), work, examples.getFirst());
            }
            Path data = work.resolve("peer.json");
            Files.writeString(data, Json.write(peerSpec(examples, lora, adapterDir, probe)));
            Result peft = peer(data);
            print(engine, peft, flopsPerToken, peakGflops);
        } finally {
            try (var files = Files.walk(work)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private Result trainEngine(LlamaModel base, List<TrainingExample> examples, LoraConfig lora, Path adapterDir) {
        long[] timedTokens = new long[1];
        double[] timedSeconds = new double[1];
        List<Double> losses = new ArrayList<>();
        LoraTrainer.trainTokenized(base, examples, lora, adapterDir, (TrainingProgress p) -> {
            losses.add(p.loss());
            if (p.step() > WARMUP_STEPS) {
                long tokens = (long) BATCH * SEQUENCE;
                timedTokens[0] += tokens;
                timedSeconds[0] += tokens / p.tokensPerSecond();
            }
            System.err.printf(Locale.ROOT, "engine step %d/%d: loss %.3f, %.0f tokens/s%n", p.step(), p.totalSteps(),
                    p.loss(), p.tokensPerSecond());
        });
        try {
            return new Result(timedTokens[0] / timedSeconds[0], ProcessMemory.peakResidentMb(), losses, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Seeded random token ids; the loss covers the second half, as a reply after its prompt. */
    private List<TrainingExample> sequences(int vocabulary) {
        Random random = new Random(7);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < steps * BATCH; i++) {
            int[] tokens = new int[SEQUENCE];
            boolean[] target = new boolean[SEQUENCE];
            for (int t = 0; t < SEQUENCE; t++) {
                tokens[t] = random.nextInt(vocabulary);
                target[t] = t >= SEQUENCE / 2;
            }
            out.add(new TrainingExample(tokens, target));
        }
        return out;
    }

    /**
     * With equal lengths the trainer's batches are consecutive runs of {@link #BATCH} sequences (it only
     * shuffles their order), so the peer gets the same groups.
     */
    private Map<String, Object> peerSpec(List<TrainingExample> examples, LoraConfig lora, Path adapterDir,
                                         AdapterProbe probe) {
        List<Object> batches = new ArrayList<>();
        for (int i = 0; i < examples.size(); i += BATCH) {
            List<Object> batch = new ArrayList<>();
            for (TrainingExample e : examples.subList(i, i + BATCH)) {
                List<Object> tokens = new ArrayList<>();
                List<Object> target = new ArrayList<>();
                for (int t = 0; t < e.length(); t++) {
                    tokens.add(e.tokens()[t]);
                    target.add(e.target()[t] ? 1 : 0);
                }
                batch.add(Map.of("tokens", tokens, "target", target));
            }
            batches.add(batch);
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("batches", batches);
        spec.put("rank", lora.rank());
        spec.put("alpha", (double) lora.alpha());
        spec.put("dropout", (double) lora.dropout());
        spec.put("lr", (double) lora.learningRate());
        spec.put("warmup_steps", WARMUP_STEPS);
        spec.put("adapter", adapterDir.toString());
        spec.put("probe", probe.toJson());
        return spec;
    }

    private Result peer(Path data) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(python.toString(), script.toString(), model.toString(), data.toString(),
                Integer.toString(threads)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(PEER_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            System.out.println("PyTorch + PEFT failed: " + out.strip());
            return new Result(Double.NaN, Double.NaN, List.of(), Map.of());
        }
        String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) Json.parse(last);
        List<Double> losses = new ArrayList<>();
        for (Object l : (List<?>) result.get("losses")) {
            losses.add(((Number) l).doubleValue());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> adapterCheck = (Map<String, Object>) result.get("adapter_check");
        return new Result(((Number) result.get("tokens_per_second")).doubleValue(),
                ((Number) result.get("peak_rss_mb")).doubleValue(), losses, adapterCheck);
    }

    /**
     * Forward (2 flops per weight) plus the input gradients (2 more); frozen weights get no weight gradient
     * and the rank-16 adapters add under 2%. Attention scores and values add 2 x 2 x dim x (mean context) per
     * layer each way.
     */
    private static double flopsPerToken(LlamaConfig c) {
        long kv = (long) c.headCountKv() * c.headSize();
        long q = (long) c.headCount() * c.headSize();
        long perLayer = c.embeddingLength() * (q + 2 * kv) + q * c.embeddingLength() + 3L * c.embeddingLength() * c.feedForwardLength();
        long matmul = perLayer * c.blockCount() + (long) c.vocabularySize() * c.embeddingLength();
        double attention = 2.0 * 2 * q * (SEQUENCE / 2.0) * c.blockCount();
        return 2 * (2.0 * matmul + attention);
    }

    private void print(Result engine, Result peft, double flopsPerToken, double peakGflops) {
        String row = "%-28s %12s %14s %8s%n";
        System.out.printf(Locale.ROOT, row, "", "engine", "PyTorch+PEFT", "ratio");
        System.out.printf(Locale.ROOT, row, "training tokens/s", fmt(engine.tokensPerSecond), fmt(peft.tokensPerSecond),
                ratio(engine.tokensPerSecond, peft.tokensPerSecond));
        System.out.printf(Locale.ROOT, row, "peak resident memory (MB)", fmt(engine.peakMb), fmt(peft.peakMb),
                ratio(engine.peakMb, peft.peakMb));
        System.out.printf(Locale.ROOT, row, "achieved GFLOP/s", fmt(engine.tokensPerSecond * flopsPerToken / 1e9),
                fmt(peft.tokensPerSecond * flopsPerToken / 1e9), "");
        System.out.printf(Locale.ROOT, "first/last step loss: engine %s, PyTorch+PEFT %s%n", lossSpan(engine.losses),
                lossSpan(peft.losses));
        System.out.printf(Locale.ROOT, "this machine's measured FP32 matrix-multiply peak: %.1f GFLOP/s (%d cores);"
                + " %.2f GFLOP per training token (forward + input gradients)%n", peakGflops,
                Runtime.getRuntime().availableProcessors(), flopsPerToken / 1e9);
        System.out.println("targets: tokens/s >= 1.0x PyTorch + PEFT; engine peak memory <= 3072 MB");
        Map<String, Object> check = peft.adapterCheck;
        if (check.isEmpty()) {
            System.out.println("PEFT compatibility: not checked (the peer failed)");
        } else {
            System.out.printf(Locale.ROOT, "PEFT compatibility: our adapter loaded with peft.PeftModel.from_pretrained on the"
                            + " same base; logits on %s probe positions: mean |ours - PEFT| %.5f (max %.5f), same top-1 at"
                            + " %s of %s; the adapter itself moves the logits by %.5f on average%n",
                    check.get("positions"), num(check, "mean_abs_diff"), num(check, "max_abs_diff"), check.get("top1_agree"),
                    check.get("positions"), num(check, "adapter_effect"));
        }
    }

    private static String lossSpan(List<Double> losses) {
        return losses.isEmpty() ? "-" : String.format(Locale.ROOT, "%.3f -> %.3f", losses.getFirst(), losses.getLast());
    }

    private static String heapSetting() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx")).reduce((a, b) -> b)
                .orElse("default (" + (Runtime.getRuntime().maxMemory() >> 20) + " MB)");
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ratio(double engine, double peer) {
        return Double.isNaN(peer) || peer == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", engine / peer);
    }

    private static double num(Map<String, Object> map, String key) {
        return ((Number) map.get(key)).doubleValue();
    }

    private record Result(double tokensPerSecond, double peakMb, List<Double> losses, Map<String, Object> adapterCheck) {}
}
