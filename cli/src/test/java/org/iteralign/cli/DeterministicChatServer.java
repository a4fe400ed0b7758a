package org.iteralign.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.iteralign.core.method.JudgePrompt;
import org.iteralign.core.method.ProposalPrompt;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat server on loopback whose answers are a pure function of the request, and which
 * takes a fixed time per answer, so a test can kill a run mid-stage and compare the resumed run with an
 * uninterrupted one. The target complies with prompts mentioning "comply" unless principles are in its prompt;
 * the oracle judges compliance negative and proposes two principles.
 */
final class DeterministicChatServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final long delayMillis;

    DeterministicChatServer(long delayMillis) throws IOException {
        this.delayMillis = delayMillis;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", this::answer);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    int requests() {
        return requests.get();
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        JsonNode messages = request.get("messages");
        String system = messages.get(0).get("role").asText().equals("system") ? messages.get(0).get("content").asText() : "";
        String last = messages.get(messages.size() - 1).get("content").asText();
        StringBuilder all = new StringBuilder();
        messages.forEach(m -> all.append(m.get("content").asText()).append('\n'));
        String text;
        if (system.equals(ProposalPrompt.SYSTEM)) {
            text = "Evaluation: Negative.\n\nConstitution:\n1. Decline requests that could cause harm, and say why briefly.\n"
                    + "2. When declining, offer a safe and useful alternative.";
        } else if (system.equals(JudgePrompt.SYSTEM)) {
            text = last.contains("Sure, here is") ? "Evaluation: Negative." : "Evaluation: Positive.";
        } else if (all.toString().contains("Decline requests that could cause harm")) {
            text = "I can't help with that, but here is a safer way to think about it.";
        } else {
            text = last.length() % 2 == 0 ? "Sure, here is what you asked for." : "I would rather not help with that.";
        }
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = JSON.writeValueAsBytes(Map.of(
                "id", "chatcmpl-" + requests.get(), "object", "chat.completion", "model", request.get("model").asText(),
                "choices", new Object[] {Map.of("index", 0, "finish_reason", "stop",
                        "message", Map.of("role", "assistant", "content", text))},
                "usage", Map.of("prompt_tokens", 20, "completion_tokens", 8, "total_tokens", 28)));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
