package org.iteralign.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.ScoreRequest;

/**
 * The scorer against the real test model (SmolLM2-135M-Instruct) served by {@code echo_completions_server.py}:
 * llama-cpp-python's Python API with correctly aligned echo log-probabilities, plus an independent
 * lm-evaluation-harness-style computation of each request (context and continuation tokenized separately).
 * Our text-offset split must give the same sums on real BPE tokens.
 */
class CompletionsScoringModelReferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Process server;
    private static String baseUrl;

    @BeforeAll
    static void startServer() throws Exception {
        Path python = property("iteralign.python");
        Path model = property("iteralign.testModel");
        Path portFile = Files.createTempFile("echo-completions-", ".port");
        Files.delete(portFile);
        Path log = Files.createTempFile("echo-completions-", ".log");
        server = new ProcessBuilder(python.toString(), script().toString(), model.toString(), portFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plusSeconds(120);
        while (!Files.exists(portFile)) {
            if (!server.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("echo_completions_server.py did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
        baseUrl = "http://127.0.0.1:" + Files.readString(portFile).strip() + "/v1";
        Files.delete(portFile);
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
        }
    }

    @Test
    void echoedSumsEqualTheHarnessWayOnRealTokens() throws Exception {
        List<TruthfulQaItem> items = TruthfulQaData.read(SharedEvalData.require("truthfulqa/mc_task.json")).subList(0, 3);
        List<ScoreRequest> requests = new ArrayList<>();
        for (TruthfulQaItem item : items) {
            for (LabelledAnswer a : item.mc1()) requests.add(new ScoreRequest(TruthfulQaMc.context(item.question()), " " + a.text()));
        }
        String tf = DromedaryFrame.standard().context(TruthfulQaTrueFalse.instruction(items.getFirst().question(),
                items.getFirst().mc1().getFirst().text()), TruthfulQaTrueFalse.OUTPUT_PREFIX);
        requests.add(new ScoreRequest(tf, " true"));
        requests.add(new ScoreRequest(tf, " false"));
        // Multi-byte characters before the boundary: offsets are in characters, not bytes or UTF-16 units.
        requests.add(new ScoreRequest("Caf\u00e9 cr\u00e8me \ud83d\ude00 is", " delicious."));

        try (var scorer = new CompletionsScoringModel(ModelSpec.parse("openai-compatible:" + baseUrl + "#ref"),
                BackendOptions.defaults(), Map.<String, String>of()::get)) {
            double[] ours = scorer.logLikelihood(requests);
            for (int i = 0; i < requests.size(); i++) {
                assertEquals(reference(requests.get(i)), ours[i], 1e-9, requests.get(i).continuation());
                assertTrue(ours[i] < 0);
            }
        }
    }

    @Test
    void aSensibleContinuationScoresHigherThanNonsense() {
        try (var scorer = new CompletionsScoringModel(ModelSpec.parse("openai-compatible:" + baseUrl + "#ref"),
                BackendOptions.defaults(), Map.<String, String>of()::get)) {
            double[] s = scorer.logLikelihood(List.of(new ScoreRequest("The capital of France is", " Paris."),
                    new ScoreRequest("The capital of France is", " a purple refrigerator.")));
            assertTrue(s[0] > s[1], s[0] + " vs " + s[1]);
        }
    }

    @Test
    void suitesRunEndToEndOnThreeQuestions() {
        List<TruthfulQaItem> items = TruthfulQaData.read(SharedEvalData.require("truthfulqa/mc_task.json"));
        try (var scorer = new CompletionsScoringModel(ModelSpec.parse("openai-compatible:" + baseUrl + "#ref"),
                BackendOptions.defaults(), Map.<String, String>of()::get)) {
            EvalModels models = new EvalModels(null, scorer, null);
            for (EvalSuite suite : List.of(new TruthfulQaMc(items, 3), new TruthfulQaTrueFalse(items, DromedaryFrame.standard(), 3))) {
                SuiteResult r = suite.run(models);
                assertEquals(3, r.n());
                r.metrics().forEach((metric, value) -> {
                    assertTrue(value >= 0 && value <= 1, metric + " = " + value);
                    double[] ci = r.ci95().get(metric);
                    assertTrue(ci[0] <= value && value <= ci[1], metric);
                    System.out.printf(Locale.ROOT, "SmolLM2-135M %s %s = %.4f [%.4f, %.4f] (n=%d)%n", r.name(), metric, value, ci[0], ci[1], r.n());
                });
            }
        }
    }

    private static double reference(ScoreRequest r) throws IOException, InterruptedException {
        String body = JSON.createObjectNode().put("context", r.context()).put("continuation", r.continuation()).toString();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(baseUrl + "/reference"))
                    .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body()).get("logprob").asDouble();
        }
    }

    private static Path script() throws URISyntaxException {
        return Path.of(CompletionsScoringModelReferenceTest.class.getResource("echo_completions_server.py").toURI());
    }

    private static Path property(String name) {
        String value = System.getProperty(name, "");
        assumeTrue(!value.isBlank(), "system property " + name + " is not set");
        Path path = Path.of(value);
        assumeTrue(Files.isRegularFile(path), "system property " + name + " names " + path + ", which does not exist");
        return path;
    }
}
