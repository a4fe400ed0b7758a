package org.iteralign.core.backend;

import java.util.List;
import java.util.function.Function;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;

/**
 * A model behind the OpenAI API or a server that copies it (vLLM, Ollama, llama.cpp, LM Studio), one request per
 * prompt; {@link OpenAiApi} shapes the requests and reads the answers.
 *
 * <p>Plain {@code HttpClient} and Jackson rather than the openai-java SDK: the SDK brings about 50 MB of
 * Kotlin runtime and dependencies for what is two JSON POSTs.
 */
final class OpenAiCompatibleChatModel implements ChatModel {
    private final ModelSpec spec;
    private final OpenAiApi api;

    OpenAiCompatibleChatModel(ModelSpec spec, BackendOptions options, Function<String, String> env, Backoff backoff) {
        this.spec = spec;
        this.api = new OpenAiApi(spec, options, env, backoff);
    }

    @Override
    public String id() {
        return spec.text();
    }

    @Override
    public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        api.completeAll(batch, sampling, sink);
    }

    @Override
    public void close() {
        api.close();
    }

    @Override
    public String toString() {
        return "OpenAiCompatibleChatModel[" + spec.text() + "]";
    }
}
