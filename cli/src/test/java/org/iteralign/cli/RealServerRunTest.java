package org.iteralign.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.iteralign.core.store.RunStore;
import org.iteralign.core.testing.LlamaCppServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole IterAlign loop through the real command line against a real OpenAI-compatible server: llama.cpp
 * (llama-cpp-python) serving SmolLM2-135M-Instruct on 127.0.0.1, in both roles.
 */
class RealServerRunTest {
    private static final String SECRET = "sk-test-0123456789-never-log-me";

    @TempDir
    Path dir;

    @Test
    void aFullRunAgainstLlamaCpp() throws Exception {
        try (LlamaCppServer server = LlamaCppServer.start()) {
            Files.writeString(dir.resolve("run.yaml"), """
                    seed: 5
                    iterations: 2
                    target:
                      model: openai-compatible:%1$s#smollm2
                      api_key_env: ITERALIGN_TEST_KEY
                    oracle:
                      model: openai-compatible:%1$s#smollm2
                      api_key_env: ITERALIGN_TEST_KEY
                    red_team:
                      datasets:
                        - type: builtin
                      batch_size: 4
                    generation:
                      max_tokens: 48
                    judge:
                      max_tokens: 16
                    constitutions:
                      max_tokens: 96
                    verify_revisions: false
                    """.formatted(server.baseUrl()));
            CliProcess.Result r = CliProcess.run(dir, Map.of("ITERALIGN_TEST_KEY", SECRET),
                    "run", "--config", "run.yaml", "--out", "runs/real");
            assertEquals(0, r.exitCode(), r.stderr());
            Path run = dir.resolve("runs/real");
            assertEquals(run.toAbsolutePath().toString(), r.stdoutLines().getLast());

            JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
            assertEquals(2, summary.get("iterations_completed").asInt());
            assertEquals(8, summary.get("prompts").asInt());
            try (RunStore store = RunStore.open(run.resolve("run.db"))) {
                assertEquals(store.count("SELECT COUNT(*) FROM verdicts WHERE subject = 'response' AND verdict = 'negative'"),
                        summary.get("negatives").asLong());
                assertEquals(store.count("SELECT COUNT(*) FROM llm_calls"), summary.get("llm_calls").asLong());
                assertEquals(8, store.count("SELECT COUNT(*) FROM verdicts WHERE subject = 'response'"));
                assertTrue(store.count("SELECT SUM(completion_tokens) FROM llm_calls WHERE role = 'target'") > 0,
                        "token usage is recorded per role");
                assertEquals(0, store.count("SELECT COUNT(*) FROM prompts p JOIN heldout h USING (prompt_id)"));
                long negatives = summary.get("negatives").asLong();
                if (negatives > 0) {
                    assertEquals(negatives, store.count("SELECT COUNT(*) FROM revisions"));
                    assertTrue(Files.exists(run.resolve("iterations/001/sft.sharegpt.json"))
                            || Files.exists(run.resolve("iterations/002/sft.sharegpt.json")));
                }
            }
            assertNoSecretUnder(run);
            assertFalse(r.stderr().contains(SECRET) || r.stdout().contains(SECRET));
            assertTrue(r.stdout().contains("trainer is none"), "the summary says no model was trained: " + r.stdout());
        }
    }

    private static void assertNoSecretUnder(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertFalse(content.contains(SECRET), "the API key leaked into " + f);
            }
        }
    }
}
