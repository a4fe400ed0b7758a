package org.iteralign.core.backend;

import java.util.Optional;

/**
 * Where a remote model lives. {@code label} names it in messages and logs, e.g.
 * {@code openai-compatible http://127.0.0.1:8000/v1}; {@code model} is the provider's model name.
 */
record Endpoint(String label, String baseUrl, String model, Optional<ApiKey> key) {

    /** A message fit to show or log: the key, should a provider echo it back, is blanked out. */
    String redact(String text) {
        return key.map(k -> k.redact(text)).orElse(text);
    }
}
