package org.iteralign.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code iteralign serve} as a user runs it: a child JVM that serves until it is stopped. */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpNamesTheEndpointsAndOptions() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, "serve", "--help");

        assertEquals(0, r.exitCode(), r.stderr());
        for (String s : List.of("/v1/models", "/v1/chat/completions", "/v1/completions", "--model", "--adapter", "--host", "--port", "--max-batch")) {
            assertTrue(r.stdout().contains(s), s + " in:\n" + r.stdout());
        }
    }

    @Test
    void badFlagsAreOneLineErrors() throws Exception {
        assertOneLineError(CliProcess.run(dir, "serve", "--model", "openai:gpt-4o-mini"), "error: --model: serve runs a model on this machine");
        assertOneLineError(CliProcess.run(dir, "serve", "--model", "smollm2-135m-instruct", "--port", "70000"), "error: --port: must be from 0 to 65535");
        assertOneLineError(CliProcess.run(dir, "serve", "--model", "smollm2-135m-instruct", "--max-batch", "0"), "error: --max-batch: must be at least 1");
        assertOneLineError(CliProcess.run(dir, "serve", "--model", "gguf:" + dir.resolve("missing.gguf")), "error: ");
        assertOneLineError(CliProcess.run(dir, "serve"), "error: Missing required option: '--model=SPEC'");
    }

    @Test
    void servesUntilStoppedAndRefusesABusyPort() throws Exception {
        String model = System.getProperty("iteralign.testModel", "");
        assumeTrue(!model.isBlank() && Files.isRegularFile(Path.of(model)),
                "system property iteralign.testModel (the SmolLM2 GGUF) is not set: scripts/test sets it");
        Map<String, String> env = Map.of("ITERALIGN_HOME", dir.resolve("home").toString());
        Path stderr = dir.resolve("stderr.txt");
        Process serve = CliProcess.builder(dir, env, "serve", "--model", "gguf:" + model, "--port", "0")
                .redirectError(stderr.toFile()).start();
        try {
            String baseUrl = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(baseUrl != null && baseUrl.startsWith("http://127.0.0.1:") && baseUrl.endsWith("/v1"),
                    baseUrl + "\n" + Files.readString(stderr));
            HttpResponse<String> answer;
            try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                answer = client.send(HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
                        .timeout(Duration.ofMinutes(5))
                        .POST(HttpRequest.BodyPublishers.ofString("""
                                {"model": "x", "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 4}""")).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            assertEquals(200, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("\"model\":\"gguf:" + model + "\""), "the served id is the spec: " + answer.body());

            String port = baseUrl.replaceAll(".*:(\\d+)/v1", "$1");
            assertOneLineError(CliProcess.run(dir, env, "serve", "--model", "gguf:" + model, "--port", port),
                    "error: --host/--port: cannot listen on 127.0.0.1:" + port);

            serve.destroy();
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve should stop on SIGTERM");
            String log = Files.readString(stderr);
            assertTrue(log.contains("serving gguf:" + model + " at " + baseUrl), log);
            assertTrue(log.lines().anyMatch(l -> l.startsWith("POST /v1/chat/completions 200 ")), log);
            assertTrue(log.contains("stopping"), log);
            assertFalse(log.contains("\tat ") || log.contains("Exception"), log);
        } finally {
            serve.destroyForcibly();
        }
    }

    private static void assertOneLineError(CliProcess.Result r, String expectedStart) {
        assertEquals(2, r.exitCode(), r.stderr());
        List<String> lines = r.stderr().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(1, lines.size(), "exactly one line on stderr, got:\n" + r.stderr());
        assertTrue(lines.getFirst().startsWith(expectedStart), lines.getFirst());
    }
}
