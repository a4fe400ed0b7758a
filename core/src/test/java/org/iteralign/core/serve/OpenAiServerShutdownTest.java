package org.iteralign.core.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.iteralign.core.testing.EmbeddedTestServer;
import org.junit.jupiter.api.Test;

/** Stopping the server (Ctrl-C in {@code iteralign serve}) while it is answering. */
class OpenAiServerShutdownTest {
    @Test
    void stoppingMidAnswerEndsTheStreamWithAnErrorEvent() throws Exception {
        EmbeddedTestServer server = EmbeddedTestServer.start();
        String body = """
                {"prompt": "Once upon a time", "max_tokens": 4000, "temperature": 0, "stream": true}""";
        List<String> events = new ArrayList<>();
        Thread stopper;
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<Stream<String>> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, r.statusCode());
            Iterator<String> lines = r.body().filter(l -> l.startsWith("data: ")).iterator();
            events.add(lines.next());
            // Text is flowing: the answer is being generated right now.
            stopper = Thread.ofPlatform().start(server::close);
            lines.forEachRemaining(events::add);
        }
        stopper.join();

        assertEquals("data: [DONE]", events.getLast());
        JsonNode error = ServeClient.json(events.get(events.size() - 2).substring("data: ".length())).path("error");
        assertTrue(error.path("message").asText().contains("shutting down"), events.get(events.size() - 2));
        assertEquals("server_error", error.path("type").asText());
        assertFalse(events.stream().anyMatch(e -> e.contains("\"finish_reason\":\"")), "the answer did not run to its end");
    }
}
