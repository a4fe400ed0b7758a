package org.iteralign.core;

import org.iteralign.core.config.RunConfig;
import org.iteralign.core.config.RunConfigLoader;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.pipeline.ProgressListener;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code training.trainer} picks the trainer; a remote trainer's missing key stops the run before it starts. */
class BackendsTrainerTest {
    private static RunConfig config(String target, String training) {
        return RunConfigLoader.parse("run.yaml", """
                target:
                %s
                oracle:
                  model: gguf:/m.gguf
                red_team:
                  datasets:
                    - type: builtin
                training:
                %s""".formatted(target.indent(2), training.indent(2)), Path.of("/"));
    }

    @Test
    void theRemoteAndCommandTrainersByName() {
        assertEquals("openai", Backends.trainer(config("model: openai-compatible:http://127.0.0.1:9/v1#m", "trainer: openai"),
                ProgressListener.NONE).name());
        assertEquals("command", Backends.trainer(config("model: gguf:/m.gguf", "trainer: command\ncommand: train {data}"),
                ProgressListener.NONE).name());
        assertEquals("command", Backends.trainer(config("model: openai-compatible:http://127.0.0.1:9/v1#m",
                "trainer: command\ncommand: train {data}\nvllm_lora: true"), ProgressListener.NONE).name());
    }

    @Test
    void aMissingKeyIsNamedBeforeTheRunStarts() {
        var e = assertThrows(ModelCallException.class, () -> Backends.trainer(config(
                "model: openai-compatible:http://127.0.0.1:9/v1#m\napi_key_env: ITERALIGN_TEST_KEY_NEVER_SET", "trainer: openai"),
                ProgressListener.NONE));
        assertTrue(e.userFixable());
        assertTrue(e.getMessage().contains("ITERALIGN_TEST_KEY_NEVER_SET is not set"), e.getMessage());
    }
}
