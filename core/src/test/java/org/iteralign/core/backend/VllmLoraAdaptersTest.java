package org.iteralign.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.iteralign.core.backend.ScriptedServer.Reply;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.junit.jupiter.api.Test;

/** vLLM's dynamic LoRA endpoints as its OpenAI-compatible server answers them (plain-text success, JSON errors). */
class VllmLoraAdaptersTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(40));
    private static final String MODELS = """
            {"object": "list", "data": [
              {"id": "meta-llama/Llama-3.1-8B-Instruct", "object": "model", "owned_by": "vllm", "parent": null},
              {"id": "run-it001-abc123", "object": "model", "owned_by": "vllm", "parent": "meta-llama/Llama-3.1-8B-Instruct"}]}""";

    private static VllmLoraAdapters adapters(ScriptedServer server, String keyVariable) {
        return new VllmLoraAdapters(ModelSpec.parse("openai-compatible:" + server.url() + "/v1#meta-llama/Llama-3.1-8B-Instruct"),
                new BackendOptions(keyVariable, 2, 0, Duration.ofSeconds(10), 2), Map.of("VLLM_KEY", "secret-token")::get, FAST);
    }

    @Test
    void loadPostsTheNameAndAbsolutePathAndAcceptsPlainTextSuccess() {
        try (var server = ScriptedServer.replying(
                Reply.status(503, "{\"object\": \"error\", \"message\": \"busy\"}"),
                Reply.ok("Success: LoRA adapter 'run-it002-def456' added successfully."));
             var vllm = adapters(server, "VLLM_KEY")) {
            String spec = vllm.load("run-it002-def456", Path.of("runs/x/iterations/002/adapter"));
            assertEquals("openai-compatible:" + server.url() + "/v1#run-it002-def456", spec);
            assertEquals(2, server.requestCount(), "the 503 was retried");
            ScriptedServer.Request load = server.requests().getLast();
            assertEquals("/v1/load_lora_adapter", load.path());
            assertEquals("Bearer secret-token", load.header("Authorization"));
            assertEquals("run-it002-def456", load.json().get("lora_name").asText());
            assertEquals(Path.of("runs/x/iterations/002/adapter").toAbsolutePath().toString(), load.json().get("lora_path").asText());
        }
    }

    @Test
    void servesReadsTheLoadedAdaptersFromTheModelList() {
        try (var server = ScriptedServer.replying(Reply.ok(MODELS)); var vllm = adapters(server, null)) {
            assertTrue(vllm.serves("run-it001-abc123"));
            assertFalse(vllm.serves("run-it002-def456"));
            assertEquals("GET", server.requests().getFirst().method());
            assertEquals("/v1/models", server.requests().getFirst().path());
            assertEquals(null, server.requests().getFirst().header("Authorization"), "no key unless a variable is named");
        }
    }

    @Test
    void aServerWithoutRuntimeLoraUpdatingSaysHowToStartIt() {
        try (var server = ScriptedServer.replying(Reply.status(404, "{\"detail\": \"Not Found\"}")); var vllm = adapters(server, null)) {
            var e = assertThrows(ModelCallException.class, () -> vllm.load("a", Path.of("adapter")));
            assertTrue(e.userFixable());
            assertTrue(e.getMessage().contains("VLLM_ALLOW_RUNTIME_LORA_UPDATING=True"), e.getMessage());
        }
    }

    @Test
    void aRefusedAdapterQuotesVllmsReason() {
        try (var server = ScriptedServer.replying(Reply.status(400, """
                {"object": "error", "message": "Loading lora run-it001 failed: No adapter found for /x", "type": "BadRequestError", "code": 400}"""));
             var vllm = adapters(server, null)) {
            var e = assertThrows(ModelCallException.class, () -> vllm.load("run-it001", Path.of("/x")));
            assertTrue(e.userFixable());
            assertTrue(e.getMessage().contains("No adapter found for /x"), e.getMessage());
        }
    }
}
