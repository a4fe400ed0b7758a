package org.iteralign.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.iteralign.core.embedded.EmbeddedChatModel;
import org.iteralign.core.serve.OpenAiServer;

/**
 * {@code iteralign serve} in this JVM: the test model ({@code iteralign.testModel}; the calling test is skipped
 * without it) in the embedded engine behind {@link OpenAiServer} on a free loopback port. The log lines it writes
 * are kept, for the batch sizes and for failure messages.
 */
public final class EmbeddedTestServer implements OpenAiTestServer {
    /** The id the served model answers to. */
    public static final String MODEL_NAME = "test-model";

    private final EmbeddedChatModel model;
    private final OpenAiServer server;
    private final List<String> log = new ArrayList<>();

    private EmbeddedTestServer(EmbeddedChatModel model, int maxBatch) throws IOException {
        this.model = model;
        this.server = OpenAiServer.start(model, "127.0.0.1", 0, maxBatch, this::record);
    }

    public static EmbeddedTestServer start() {
        return start(32);
    }

    /** @param maxBatch most sequences the engine runs together */
    public static EmbeddedTestServer start(int maxBatch) {
        String path = System.getProperty("iteralign.testModel", "");
        assumeTrue(!path.isBlank() && Files.isRegularFile(Path.of(path)),
                "system property iteralign.testModel (the test model's GGUF file) is not set or names no file");
        EmbeddedChatModel model = EmbeddedChatModel.load(MODEL_NAME, Path.of(path));
        try {
            return new EmbeddedTestServer(model, maxBatch);
        } catch (IOException e) {
            model.close();
            throw new UncheckedIOException(e);
        }
    }

    /** The model the server runs, to compare its answers with the engine's own. */
    public EmbeddedChatModel model() {
        return model;
    }

    @Override
    public String baseUrl() {
        return server.baseUrl();
    }

    @Override
    public String spec() {
        return "openai-compatible:" + baseUrl() + "#" + MODEL_NAME;
    }

    @Override
    public int contextLength() {
        return model.model().config().contextLength();
    }

    /** Every line logged so far. */
    public synchronized List<String> log() {
        return List.copyOf(log);
    }

    @Override
    public synchronized String outputTail() {
        return String.join("\n", log.subList(Math.max(0, log.size() - 25), log.size()));
    }

    @Override
    public void close() {
        server.close();
        model.close();
    }

    private synchronized void record(String line) {
        log.add(line);
    }
}
