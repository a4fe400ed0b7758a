package org.iteralign.core.testing;

/**
 * A real OpenAI-compatible server running the test model, for tests that must pass against every one we support:
 * llama-cpp-python's ({@link LlamaCppServer}) and our own {@code iteralign serve} ({@link EmbeddedTestServer}).
 */
public interface OpenAiTestServer extends AutoCloseable {
    /** The OpenAI-style base URL, e.g. {@code http://127.0.0.1:41234/v1}. */
    String baseUrl();

    /** The model spec that reaches this server: {@code openai-compatible:BASE_URL#NAME}. */
    String spec();

    /** The tokens a prompt and its answer may fill, as the server enforces it. */
    int contextLength();

    /** The server's last output lines, for failure messages. */
    String outputTail();

    @Override
    void close();
}
