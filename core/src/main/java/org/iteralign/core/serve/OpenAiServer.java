package org.iteralign.core.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.iteralign.core.embedded.EmbeddedChatModel;

/**
 * The embedded engine behind OpenAI's HTTP API: {@code GET /v1/models}, {@code POST /v1/chat/completions} and
 * {@code POST /v1/completions}, answered whole or streamed as server-sent events, with concurrent requests run
 * together by an {@link EngineBatcher}. Every request gets one line in the log; a request the server cannot
 * answer as sent gets HTTP 400 with OpenAI's error body, and nothing a client sends produces a stack trace.
 *
 * <p>The JDK's own HTTP server, with a virtual thread per exchange: each thread mostly waits for its answer,
 * while the one engine thread does the arithmetic.
 */
public final class OpenAiServer implements AutoCloseable {
    /** How long the engine waits after a request for others to join its batch: a fraction of one decoding step. */
    private static final Duration LINGER = Duration.ofMillis(10);
    /** How long stopping waits for exchanges to write their last words. */
    private static final int STOP_GRACE_SECONDS = 2;
    /** Bodies above this are refused rather than read into memory. */
    private static final int MAX_BODY_BYTES = 32 << 20;

    private final HttpServer http;
    private final ExecutorService exchanges = Executors.newVirtualThreadPerTaskExecutor();
    private final EngineBatcher batcher;
    private final RequestParser parser;
    private final OpenAiJson json;
    private final Consumer<String> log;
    private final long started = Instant.now().getEpochSecond();

    private OpenAiServer(EmbeddedChatModel model, HttpServer http, int maxBatch, Consumer<String> log) {
        this.http = http;
        this.log = log;
        this.batcher = new EngineBatcher(model, maxBatch, LINGER, log);
        this.parser = new RequestParser(model);
        this.json = new OpenAiJson(model.id(), model.tokenizer());
        http.setExecutor(exchanges);
        http.createContext("/", this::handle);
        http.start();
    }

    /**
     * Serves {@code model} (its id is the model name answers carry) on {@code host:port}; port 0 picks a free one.
     * The model stays the caller's to close, after this server.
     *
     * @param maxBatch most sequences the engine runs together
     * @param log      receives one line per request and any engine failure
     * @throws IOException when the address cannot be bound (in use, not local)
     */
    public static OpenAiServer start(EmbeddedChatModel model, String host, int port, int maxBatch, Consumer<String> log)
            throws IOException {
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be at least 1");
        return new OpenAiServer(model, HttpServer.create(new InetSocketAddress(host, port), 0), maxBatch, log);
    }

    /** The bound port (the chosen one when started with port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The OpenAI base URL clients are given, e.g. {@code http://127.0.0.1:8080/v1}. */
    public String baseUrl() {
        String host = http.getAddress().getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/v1";
    }

    /**
     * Ends the running batch and fails what waits (clients get a 503, or an error event in their stream), gives
     * the exchanges a moment to tell them, then closes every connection; the model may then be closed.
     */
    @Override
    public void close() {
        batcher.close();
        http.stop(STOP_GRACE_SECONDS);
        exchanges.close();
    }

    private void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        String what = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
        try {
            String outcome = route(exchange);
            log.accept(String.format(Locale.ROOT, "%s %s (%.2f s)", what, outcome, (System.nanoTime() - start) / 1e9));
        } catch (IOException e) {
            log.accept(what + " client connection lost: " + e.getMessage());
        } catch (RuntimeException e) {
            log.accept(what + " 500 internal error: " + e);
            trySend(exchange, 500, OpenAiJson.error("internal error: " + e, "server_error", null));
        } finally {
            exchange.close();
        }
    }

    /** Answers the exchange; returns the status and a few words for the log line. */
    private String route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        boolean models = path.equals("/v1/models");
        boolean chat = path.equals("/v1/chat/completions");
        boolean text = path.equals("/v1/completions");
        if (!models && !chat && !text) {
            return refuse(exchange, 404, "not_found_error", null, "no such endpoint: " + path
                    + " (this server has /v1/models, /v1/chat/completions and /v1/completions)");
        }
        String allowed = models ? "GET" : "POST";
        if (!method.equals(allowed)) {
            exchange.getResponseHeaders().set("Allow", allowed);
            return refuse(exchange, 405, "invalid_request_error", null, path + " takes " + allowed + ", not " + method);
        }
        if (models) {
            send(exchange, 200, json.models(started));
            return "200";
        }
        GenerationRequest request;
        try {
            JsonNode body = readBody(exchange);
            request = chat ? parser.chat(body) : parser.completions(body);
        } catch (BadRequestException e) {
            return refuse(exchange, 400, "invalid_request_error", e.param(), e.getMessage());
        }
        Job job = batcher.submit(request);
        String id = (chat ? "chatcmpl-" : "cmpl-") + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        long created = Instant.now().getEpochSecond();
        try {
            return request.stream() ? stream(exchange, job, id, created) : answer(exchange, job, id, created);
        } catch (IOException e) {
            job.abandon();
            throw e;
        } catch (InterruptedException e) {
            job.abandon();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the server stops", e);
        }
    }

    private String answer(HttpExchange exchange, Job job, String id, long created) throws IOException, InterruptedException {
        while (true) {
            switch (waitFor(job)) {
                case Job.Finished f -> {
                    send(exchange, 200, json.answer(job.request, id, created, f));
                    return "200 " + summary(f);
                }
                case Job.Failed f -> {
                    return refuse(exchange, f.serverStopping() ? 503 : 500, "server_error", null, f.message());
                }
                case Job.Delta ignored -> { }
            }
        }
    }

    /** Server-sent events: one {@code data: {chunk}} per piece of text, the finish, optionally usage, then {@code [DONE]}. */
    private String stream(HttpExchange exchange, Job job, String id, long created) throws IOException, InterruptedException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        GenerationRequest request = job.request;
        for (int i = 0; i < request.prompts().size(); i++) {
            if (request.kind() == GenerationRequest.Kind.CHAT) event(out, json.roleChunk(id, created, i));
            else if (request.echo()) event(out, json.chunk(request, id, created, i, request.promptTexts().get(i), null));
        }
        while (true) {
            switch (waitFor(job)) {
                case Job.Delta d -> event(out, json.chunk(request, id, created, d.choice(), d.text(), null));
                case Job.Finished f -> {
                    for (int i = 0; i < f.choices().size(); i++) {
                        Job.Choice c = f.choices().get(i);
                        event(out, json.chunk(request, id, created, i, job.streamsDeltas() ? "" : c.text(), c));
                    }
                    if (request.includeUsage()) event(out, json.usageChunk(request, id, created, f));
                    done(out);
                    return "200 streamed " + summary(f);
                }
                case Job.Failed f -> {
                    event(out, OpenAiJson.error(f.message(), "server_error", null));
                    done(out);
                    return "200 streamed, then failed: " + f.message();
                }
            }
        }
    }

    private static Job.Event waitFor(Job job) throws InterruptedException {
        Job.Event event;
        do {
            event = job.next(60_000);
        } while (event == null);
        return event;
    }

    private static String summary(Job.Finished f) {
        ObjectNode usage = OpenAiJson.usage(f);
        return usage.get("prompt_tokens").asLong() + "+" + usage.get("completion_tokens").asLong() + " tokens, batch of "
                + f.batchSequences();
    }

    private static JsonNode readBody(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) throw new BadRequestException(null, "the request body is over " + (MAX_BODY_BYTES >> 20) + " MB");
        if (bytes.length == 0) throw new BadRequestException(null, "the request has no body; send a JSON object");
        try {
            return OpenAiJson.JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new BadRequestException(null, "the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String refuse(HttpExchange exchange, int status, String type, String param, String message) throws IOException {
        send(exchange, status, OpenAiJson.error(message, type, param));
        return status + " " + message;
    }

    private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = OpenAiJson.JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A 500 for an unexpected failure, unless the answer had already begun (then the connection just closes). */
    private static void trySend(HttpExchange exchange, int status, ObjectNode body) {
        if (exchange.getResponseCode() != -1) return;
        try {
            send(exchange, status, body);
        } catch (IOException ignored) {
            // The client is gone; there is nobody left to tell.
        }
    }

    private static void event(OutputStream out, ObjectNode data) throws IOException {
        out.write(("data: " + OpenAiJson.JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void done(OutputStream out) throws IOException {
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
