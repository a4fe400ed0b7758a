package org.iteralign.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import org.iteralign.core.embedded.EmbeddedChatModel;
import org.iteralign.core.eval.DromedaryFrame;
import org.iteralign.core.eval.EvalModels;
import org.iteralign.core.eval.EvalSuite;
import org.iteralign.core.eval.HhhChoice;
import org.iteralign.core.eval.HhhData;
import org.iteralign.core.eval.HhhItem;
import org.iteralign.core.eval.RecordingScorer;
import org.iteralign.core.eval.SuiteResult;
import org.iteralign.core.eval.TruthfulQaData;
import org.iteralign.core.eval.TruthfulQaItem;
import org.iteralign.core.eval.TruthfulQaMc;
import org.iteralign.engine.generate.ScoreRequest;
import org.iteralign.engine.json.Json;

/**
 * Multiple-choice evaluation speed: truthfulqa-mc and hhh run by the suites themselves on the engine, as
 * {@code iteralign eval} runs them (a question's candidates share one pass over its prompt, and prompts share their
 * leading tokens with earlier ones), beside llama.cpp scoring the same token ids one request at a time, as a harness
 * calling it per request would. Both sides' tokens/s count every request's context and continuation tokens, so the
 * ratio is the ratio of times; the engine runs fewer of them, and says how many. llama.cpp one by one takes hours on
 * the full suites, so it scores the first {@code peerRequests} requests of each and its tokens/s stands for the
 * whole. The mean log-likelihood difference over those shows the two did the same work.
 */
final class ScoringSuite {
    private static final long PEER_TIMEOUT_SECONDS = 7200;
    private static final int PEER_THREADS = 2;

    private final Path model;
    private final Path python;
    private final Path script;
    private final Path data;
    private final int limit;
    private final int peerRequests;

    /**
     * @param limit items per suite, 0 for all (817 and 438)
     * @param peerRequests requests per suite llama.cpp scores, 0 for all
     */
    ScoringSuite(Path model, Path python, Path script, Path data, int limit, int peerRequests) {
        this.model = model;
        this.python = python;
        this.script = script;
        this.data = data;
        this.limit = limit;
        this.peerRequests = peerRequests;
    }

    /** One suite's engine run: the requests it made, as token ids, with the engine's scores and time. */
    private record Measured(String name, SuiteResult result, List<ScoreRequest> requests, double[] scores, double seconds,
                            long tokensRun) {
        long tokens() {
            return ScoringSuite.tokens(requests);
        }
    }

    /** llama.cpp on the first {@code scores.length} requests of a suite. */
    private record Peer(double seconds, long tokens, double[] scores) {
        double tokensPerSecond() {
            return tokens / seconds;
        }

        /** Whether it scored only some of the suite's {@code requests}. */
        boolean sampled(int requests) {
            return scores != null && scores.length < requests;
        }
    }

    private static long tokens(List<ScoreRequest> requests) {
        return requests.stream().mapToLong(r -> r.context().length + r.continuation().length).sum();
    }

    void run() throws IOException, InterruptedException {
        List<TruthfulQaItem> truthfulQa = TruthfulQaData.read(data.resolve("truthfulqa/mc_task.json"));
        List<HhhItem> hhh = HhhData.read(data.resolve("anthropic_hhh_eval/438HHHEvaluations.jsonl"));
        Map<String, IntFunction<EvalSuite>> suites = new LinkedHashMap<>();
        suites.put(TruthfulQaMc.NAME, n -> new TruthfulQaMc(truthfulQa, n));
        suites.put(HhhChoice.NAME, n -> new HhhChoice(hhh, DromedaryFrame.standard(), n));
        System.out.printf(Locale.ROOT, "model %s, %d cores, %s; load average %s%n", model.getFileName(),
                Runtime.getRuntime().availableProcessors(), limit == 0 ? "every item" : "the first " + limit + " items of each suite",
                loadAverage());
        List<Measured> engine = new ArrayList<>();
        try (EmbeddedChatModel m = EmbeddedChatModel.load("bench", model)) {
            // A JIT's start-up is paid once per process, not per suite: two items of each first, untimed.
            for (IntFunction<EvalSuite> suite : suites.values()) suite.apply(2).run(new EvalModels(null, m, null));
            for (Map.Entry<String, IntFunction<EvalSuite>> suite : suites.entrySet()) {
                System.out.println("engine: " + suite.getKey() + "... (load average " + loadAverage() + ")");
                RecordingScorer scorer = new RecordingScorer(m);
                long run0 = m.scoringTokensRun();
                long t0 = System.nanoTime();
                SuiteResult result = suite.getValue().apply(limit).run(new EvalModels(null, scorer, null));
                double seconds = (System.nanoTime() - t0) / 1e9;
                engine.add(new Measured(suite.getKey(), result, scorer.requests().stream().map(m::scoringTokens).toList(),
                        scorer.scores(), seconds, m.scoringTokensRun() - run0));
            }
        }
        List<Peer> peers = new ArrayList<>();
        for (Measured e : engine) {
            List<ScoreRequest> sample = peerRequests > 0 && peerRequests < e.requests().size()
                    ? e.requests().subList(0, peerRequests) : e.requests();
            System.out.println("llama.cpp, " + PEER_THREADS + " threads: " + e.name() + ", " + sample.size() + " of "
                    + e.requests().size() + " requests one by one... (load average " + loadAverage() + ")");
            peers.add(peer(sample));
        }
        print(engine, peers);
    }

    private Peer peer(List<ScoreRequest> requests) throws IOException, InterruptedException {
        Path in = Files.createTempFile("bench-eval-requests-", ".json");
        Path out = Files.createTempFile("bench-eval-scores-", ".json");
        try {
            List<Object> list = new ArrayList<>();
            for (ScoreRequest r : requests) {
                list.add(Map.of("context", Arrays.stream(r.context()).boxed().toList(),
                        "continuation", Arrays.stream(r.continuation()).boxed().toList()));
            }
            Files.writeString(in, Json.write(Map.of("requests", list)));
            Process p = new ProcessBuilder(python.toString(), script.toString(), model.toString(), Integer.toString(PEER_THREADS),
                    in.toString(), out.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(PEER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                System.out.println("llama.cpp did not finish within " + PEER_TIMEOUT_SECONDS + " s");
                return new Peer(Double.NaN, 0, null);
            }
            if (p.exitValue() != 0 || Files.size(out) == 0) {
                System.out.println("llama.cpp failed (exit " + p.exitValue() + ")");
                return new Peer(Double.NaN, 0, null);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> result = (Map<String, Object>) Json.parse(Files.readString(out, StandardCharsets.UTF_8));
            @SuppressWarnings("unchecked")
            double[] scores = ((List<Object>) result.get("log_likelihoods")).stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
            return new Peer(((Number) result.get("seconds")).doubleValue(), tokens(requests), scores);
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }

    private static void print(List<Measured> engine, List<Peer> peers) {
        String row = "%-14s %6s %9s %9s %11s %11s %8s %9s %9s %7s  %s%n";
        System.out.println();
        System.out.printf(Locale.ROOT, row, "suite", "items", "requests", "tokens", "engine tok/s", "llama tok/s", "ratio",
                "engine min", "llama min", "|Δll|", "engine's metrics");
        double engineTotal = 0;
        double peerTotal = 0;
        boolean sampled = false;
        for (int i = 0; i < engine.size(); i++) {
            Measured e = engine.get(i);
            Peer p = peers.get(i);
            // llama.cpp's time for the whole suite at the speed it showed on its sample.
            double peerSeconds = e.tokens() / p.tokensPerSecond();
            boolean partial = p.sampled(e.requests().size());
            sampled |= partial;
            engineTotal += e.seconds();
            peerTotal += peerSeconds;
            System.out.printf(Locale.ROOT, row, e.name(), e.result().n(), e.requests().size(), e.tokens(),
                    fmt(e.tokens() / e.seconds()), fmt(p.tokensPerSecond()), ratio(peerSeconds / e.seconds()),
                    fmt(e.seconds() / 60), fmt(peerSeconds / 60) + (partial ? "*" : ""), meanDifference(e.scores(), p.scores()),
                    e.result().metrics().entrySet().stream().map(m -> String.format(Locale.ROOT, "%s %.3f", m.getKey(), m.getValue()))
                            .collect(Collectors.joining(", ")));
        }
        System.out.printf(Locale.ROOT, row, "both", "", "", "", "", "", ratio(peerTotal / engineTotal), fmt(engineTotal / 60),
                fmt(peerTotal / 60) + (sampled ? "*" : ""), "", "");
        System.out.println();
        for (int i = 0; i < engine.size(); i++) {
            Measured e = engine.get(i);
            System.out.printf(Locale.ROOT, "%s: the engine ran %d of the %d tokens (%.0f%%): a question's candidates share its"
                    + " prompt, and prompts share leading tokens with earlier ones.%n", e.name(), e.tokensRun(), e.tokens(),
                    100.0 * e.tokensRun() / e.tokens());
            Peer p = peers.get(i);
            if (p.sampled(e.requests().size())) {
                System.out.printf(Locale.ROOT, "%s: * llama.cpp scored the first %d requests (%d tokens, %.1f min); its minutes for"
                        + " the whole suite are its tokens/s on those applied to all %d tokens.%n", e.name(), p.scores().length,
                        p.tokens(), p.seconds() / 60, e.tokens());
            }
        }
        System.out.println("tok/s counts every request's context and continuation tokens on both sides; llama.cpp runs each request"
                + " from an empty cache with logits only where a continuation token is scored. The engine's time includes"
                + " tokenizing; |Δll| is the mean absolute difference of the two sides' log-likelihoods per request llama.cpp"
                + " scored. Shared machines give noisy numbers.");
    }

    private static String meanDifference(double[] ours, double[] theirs) {
        if (theirs == null || theirs.length == 0) return "-";
        double sum = 0;
        for (int i = 0; i < theirs.length; i++) sum += Math.abs(ours[i] - theirs[i]);
        return String.format(Locale.ROOT, "%.4f", sum / theirs.length);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2fx", r);
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }
}
