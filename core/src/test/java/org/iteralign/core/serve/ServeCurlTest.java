package org.iteralign.core.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.iteralign.core.model.Completion;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.testing.EmbeddedTestServer;
import org.junit.jupiter.api.Test;

/** The server as the README shows it being used: with the real {@code curl} binary (skipped where there is none). */
class ServeCurlTest {
    @Test
    void curlGetsAnswersStreamsAndErrors() throws Exception {
        Path curl = onPath("curl");
        try (EmbeddedTestServer server = EmbeddedTestServer.start()) {
            String url = server.baseUrl();
            String question = "Name three colours.";
            String body = OpenAiServerTest.chat(question, 12, "");

            JsonNode models = ServeClient.json(run(curl, "-sS", url + "/models"));
            JsonNode answer = ServeClient.json(run(curl, "-sS", url + "/chat/completions",
                    "-H", "Content-Type: application/json", "-d", body));
            List<String> events = ServeClient.events(run(curl, "-sS", "-N", url + "/chat/completions",
                    "-H", "Content-Type: application/json", "-d", OpenAiServerTest.chat(question, 12, ", \"stream\": true")));
            String refused = run(curl, "-sS", "-w", "\n%{http_code}", url + "/chat/completions",
                    "-H", "Content-Type: application/json", "-d", "{\"messages\": 42}");

            assertEquals(EmbeddedTestServer.MODEL_NAME, models.at("/data/0/id").asText());
            Completion direct = server.model().generate(Prompt.userTurn(question), Sampling.greedy(12));
            assertEquals(direct.text(), answer.at("/choices/0/message/content").asText());
            assertEquals("[DONE]", events.getLast());
            StringBuilder streamed = new StringBuilder();
            for (String e : events.subList(0, events.size() - 1)) streamed.append(ServeClient.json(e).at("/choices/0/delta/content").asText(""));
            assertEquals(direct.text(), streamed.toString());
            String[] lines = refused.split("\n");
            assertEquals("400", lines[lines.length - 1]);
            JsonNode error = ServeClient.json(lines[0]).path("error");
            assertEquals("messages", error.path("param").asText());
            assertEquals("invalid_request_error", error.path("type").asText());
        }
    }

    private static String run(Path curl, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(curl.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "curl did not finish");
        assertEquals(0, p.exitValue(), "curl " + String.join(" ", args));
        return new String(out, StandardCharsets.UTF_8);
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) return candidate;
        }
        assumeTrue(false, program + " is not on the PATH");
        throw new AssertionError("unreachable");
    }
}
