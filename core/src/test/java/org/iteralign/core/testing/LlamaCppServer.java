package org.iteralign.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenAI-compatible server for tests: llama-cpp-python's {@code llama_cpp.server} serving the test
 * model on a free local port. Needs the system properties {@code iteralign.python} (a Python with
 * {@code llama-cpp-python[server]}) and {@code iteralign.testModel} (a GGUF file); {@link #start()} skips the
 * calling test when either is missing. The model's own GGUF chat template is used.
 *
 * <pre>{@code
 * try (LlamaCppServer server = LlamaCppServer.start()) {
 *     ChatModel model = RemoteModels.open(ModelSpec.parse(server.spec()), BackendOptions.defaults());
 * }
 * }</pre>
 */
public final class LlamaCppServer implements OpenAiTestServer {
    /** The name the server answers to; llama-cpp-python serves one model and ignores the name sent. */
    public static final String MODEL_NAME = "test-model";

    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(120);
    /** The context the server is started with ({@code --n_ctx}). */
    private static final int CONTEXT = 2048;

    private final Process process;
    private final Path log;
    private final int port;

    private LlamaCppServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts the server and returns once it answers {@code GET /v1/models}.
     *
     * @throws org.opentest4j.TestAbortedException (the test is skipped) when a needed system property is missing
     * @throws IllegalStateException with the server's last output when it does not come up
     */
    public static LlamaCppServer start() {
        return start(requiredFile("iteralign.python", "a Python with llama-cpp-python[server]"),
                requiredFile("iteralign.testModel", "the test model's GGUF file"));
    }

    /** Starts the server for {@code model} with the given Python, and returns once it answers. */
    public static LlamaCppServer start(Path python, Path model) {
        try {
            int port = freePort();
            Path log = Files.createTempFile("llama-cpp-server-", ".log");
            // One thread for prompt evaluation too: on a busy two-core machine the default two-thread OpenMP
            // prompt pass waits at every barrier for a descheduled thread (measured 2.9 s against 0.7 s a request).
            Process process = new ProcessBuilder(python.toString(), "-m", "llama_cpp.server",
                    "--model", model.toString(), "--model_alias", MODEL_NAME,
                    "--host", "127.0.0.1", "--port", Integer.toString(port), "--n_ctx", Integer.toString(CONTEXT),
                    "--n_threads", "1", "--n_threads_batch", "1")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            LlamaCppServer server = new LlamaCppServer(process, log, port);
            server.awaitReady();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start llama_cpp.server", e);
        }
    }

    @Override
    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    @Override
    public String spec() {
        return "openai-compatible:" + baseUrl() + "#" + MODEL_NAME;
    }

    @Override
    public int contextLength() {
        return CONTEXT;
    }

    @Override
    public String outputTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(server output unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(STARTUP_LIMIT);
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpRequest models = HttpRequest.newBuilder(URI.create(baseUrl() + "/models")).timeout(Duration.ofSeconds(5)).build();
            while (Instant.now().isBefore(deadline)) {
                if (!process.isAlive()) {
                    throw failure("llama_cpp.server exited with code " + process.exitValue() + " before answering");
                }
                try {
                    if (client.send(models, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
                } catch (IOException notYetListening) {
                    // Loading the model takes a few seconds; poll again.
                }
                Thread.sleep(200);
            }
            throw failure("llama_cpp.server did not answer GET /v1/models within " + STARTUP_LIMIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for llama_cpp.server");
        }
    }

    private IllegalStateException failure(String what) {
        String tail = outputTail();
        close();
        return new IllegalStateException(what + "; its last output:\n" + tail);
    }

    private static Path requiredFile(String property, String what) {
        String value = System.getProperty(property, "");
        assumeTrue(!value.isBlank(), "system property " + property + " (" + what + ") is not set");
        Path path = Path.of(value);
        assumeTrue(Files.isRegularFile(path), "system property " + property + " names " + path + ", which does not exist");
        return path;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
