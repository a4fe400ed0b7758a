package org.iteralign.core.backend;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;

/**
 * A running vLLM server's dynamic LoRA endpoints: {@code POST /load_lora_adapter} makes a PEFT adapter folder
 * (read by the server, so a path on the server's machine) answer under a new model name, without a restart. The
 * server must run with {@code VLLM_ALLOW_RUNTIME_LORA_UPDATING=True} and {@code --enable-lora}.
 */
public final class VllmLoraAdapters implements AutoCloseable {
    private final ModelSpec server;
    private final BackendOptions options;
    private final ResilientHttp http;

    VllmLoraAdapters(ModelSpec server, BackendOptions options, Function<String, String> env, Backoff backoff) {
        if (server.kind() != ModelSpec.Kind.OPENAI_COMPATIBLE) {
            throw new IllegalArgumentException("vLLM adapters are loaded into an openai-compatible:URL#NAME server, not " + server);
        }
        this.server = server;
        this.options = options;
        String label = "vLLM " + server.location();
        this.http = new ResilientHttp(new Endpoint(label, server.location(), server.name(),
                ApiKey.fromEnvironment(options.apiKeyEnv(), null, env, label)), options, backoff);
    }

    /** @param server the target's spec; its key, if any, comes from the variable {@code options.apiKeyEnv()} names */
    public static VllmLoraAdapters open(ModelSpec server, BackendOptions options, Function<String, String> env) {
        return new VllmLoraAdapters(server, options, env, Backoff.DEFAULT);
    }

    /** Whether the server already answers to {@code name}: vLLM lists loaded adapters among its models. */
    public boolean serves(String name) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.location() + "/models"))
                .timeout(options.timeout()).header("Accept", "application/json").GET();
        return http.send(authorized(request), json -> {
            JsonNode data = json.path("data");
            if (!data.isArray()) throw new ResilientHttp.UnexpectedAnswer("no data list");
            for (JsonNode model : data) if (name.equals(model.path("id").asText())) return true;
            return false;
        });
    }

    /**
     * Loads the adapter in {@code adapterDir} under {@code name} and returns the spec that reaches it.
     *
     * @throws org.iteralign.core.model.ModelCallException user-fixable when the server refuses (e.g. runtime LoRA
     *                                                     updating is off, or it cannot read the folder)
     */
    public String load(String name, Path adapterDir) {
        ObjectNode body = ResilientHttp.JSON.createObjectNode()
                .put("lora_name", name)
                .put("lora_path", adapterDir.toAbsolutePath().toString());
        try {
            http.sendForText(authorized(http.post("/load_lora_adapter", body)));
        } catch (ModelCallException e) {
            // vLLM registers the endpoint only when runtime updating is allowed; a 404 means it was started without.
            if (e.userFixable() && e.getMessage().contains("HTTP 404")) {
                throw new ModelCallException(http.endpoint().label() + " has no /load_lora_adapter: start vLLM with "
                        + "VLLM_ALLOW_RUNTIME_LORA_UPDATING=True and --enable-lora", true);
            }
            throw e;
        }
        return specOf(name);
    }

    /** {@code openai-compatible:URL#name}: the adapter served by the same server. */
    public String specOf(String name) {
        return "openai-compatible:" + server.location() + "#" + name;
    }

    @Override
    public void close() {
        http.close();
    }

    private HttpRequest authorized(HttpRequest.Builder request) {
        http.endpoint().key().ifPresent(k -> request.header("Authorization", "Bearer " + k.value()));
        return request.build();
    }
}
