package org.iteralign.core.backend;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local HTTP server that answers each request as its script says and records what it was sent, how many
 * requests were open at once and when each arrived. Handlers run on virtual threads so a slow reply does not
 * hold up the others. Public for the trainers' tests, which script the fine-tuning and vLLM APIs with it.
 */
public final class ScriptedServer implements AutoCloseable {

    /** One request as the server saw it. */
    public record Request(String method, String path, Headers headers, String body, long arrivalNanos) {
        public String header(String name) {
            return headers.getFirst(name);
        }

        public JsonNode json() {
            try {
                return ResilientHttp.JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** What to answer: a status, a body, extra headers, and how long to wait before answering. */
    public record Reply(int status, String body, Map<String, String> headers, Duration delay) {
        public static Reply ok(String json) {
            return new Reply(200, json, Map.of(), Duration.ZERO);
        }

        public static Reply status(int status, String body) {
            return new Reply(status, body, Map.of(), Duration.ZERO);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Reply(status, body, more, delay);
        }

        public Reply after(Duration wait) {
            return new Reply(status, body, headers, wait);
        }
    }

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Request> requests = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();

    private ScriptedServer(Function<Request, Reply> responder) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", exchange -> handle(exchange, responder));
        server.start();
    }

    /** A server that computes each reply from the request. */
    public static ScriptedServer start(Function<Request, Reply> responder) {
        try {
            return new ScriptedServer(responder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server that gives the n-th request the n-th reply, and the last reply to every request after that. */
    public static ScriptedServer replying(Reply... script) {
        AtomicInteger next = new AtomicInteger();
        return start(request -> script[Math.min(next.getAndIncrement(), script.length - 1)]);
    }

    /** {@code http://127.0.0.1:PORT}, no trailing slash. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public int requestCount() {
        return requests().size();
    }

    /** The largest number of requests the server was handling at the same moment. */
    public int mostOpenAtOnce() {
        return mostOpen.get();
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }

    private void handle(HttpExchange exchange, Function<Request, Reply> responder) throws IOException {
        int now = open.incrementAndGet();
        mostOpen.accumulateAndGet(now, Math::max);
        try (exchange) {
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders(), new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                    System.nanoTime());
            synchronized (requests) {
                requests.add(request);
            }
            Reply reply = responder.apply(request);
            if (reply.delay().isPositive()) Thread.sleep(reply.delay());
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            reply.headers().forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.decrementAndGet();
        }
    }
}
