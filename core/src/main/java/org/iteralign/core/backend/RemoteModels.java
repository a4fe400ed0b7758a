package org.iteralign.core.backend;

import java.util.function.Function;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.ModelSpec;

/** Opens the models that live behind an HTTP API: {@code openai:}, {@code openai-compatible:} and {@code anthropic:}. */
public final class RemoteModels {
    private RemoteModels() {}

    /**
     * @param env looks up environment variables (the API key); {@code System::getenv} outside tests
     * @throws IllegalArgumentException when {@code spec} is not a remote kind
     * @throws org.iteralign.core.model.ModelCallException (user-fixable) when a required API key is not set
     */
    public static ChatModel open(ModelSpec spec, BackendOptions options, Function<String, String> env) {
        return switch (spec.kind()) {
            case OPENAI, OPENAI_COMPATIBLE -> new OpenAiCompatibleChatModel(spec, options, env, Backoff.DEFAULT);
            case ANTHROPIC -> new AnthropicChatModel(spec, options, env, Backoff.DEFAULT);
            case GGUF, HF_DIR, HF, ALIAS -> throw new IllegalArgumentException(
                    "model spec '" + spec + "' is not a remote model: use openai:, openai-compatible: or anthropic:");
        };
    }

    /** {@link #open(ModelSpec, BackendOptions, Function)} reading keys from the process environment. */
    public static ChatModel open(ModelSpec spec, BackendOptions options) {
        return open(spec, options, System::getenv);
    }
}
