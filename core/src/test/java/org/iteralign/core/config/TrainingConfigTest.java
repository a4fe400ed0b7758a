package org.iteralign.core.config;

import org.iteralign.core.UserInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code training:} section's keys for the openai and command trainers. */
class TrainingConfigTest {
    private static String config(String target, String training) {
        return """
                target:
                  model: %s
                oracle:
                  model: openai:gpt-4o-mini
                red_team:
                  datasets:
                    - type: builtin
                training:
                %s""".formatted(target, training.indent(2));
    }

    private static RunConfig parse(String yaml) {
        return RunConfigLoader.parse("run.yaml", yaml, Path.of("/configs"));
    }

    private static String error(String yaml) {
        return assertThrows(UserInputException.class, () -> parse(yaml)).toErrorLine();
    }

    @Test
    void defaultsForTheRemoteTrainers() {
        var t = parse(config("openai:gpt-4o-mini-2024-07-18", "trainer: openai")).training();
        assertEquals("openai", t.trainer());
        assertEquals("iteralign", t.suffix());
        assertEquals(0.0, t.pricePerMillionTokens(), "no built-in price");
        assertEquals(60, t.pollSeconds());
        assertNull(t.command());
        assertFalse(t.vllmLora());
    }

    @Test
    void commandAndVllmLoraRoundTripThroughTheRunDirectorysConfig() {
        RunConfig c = parse(config("openai-compatible:http://127.0.0.1:8000/v1#meta-llama/Llama-3.1-8B-Instruct", """
                trainer: command
                command: "accelerate launch train.py --model {base_model} --data '{data}' --out {output_dir}"
                vllm_lora: true
                """));
        assertEquals("accelerate launch train.py --model {base_model} --data '{data}' --out {output_dir}", c.training().command());
        assertTrue(c.training().vllmLora());
        assertEquals(c, parse(RunConfigWriter.toYaml(c)));
        RunConfig openai = parse(config("openai:gpt-4o-mini-2024-07-18", """
                trainer: openai
                suffix: safety
                price_per_million_tokens: 3.0
                poll_seconds: 10
                """));
        assertEquals(openai, parse(RunConfigWriter.toYaml(openai)));
    }

    @Test
    void aRunWithoutTheRemoteTrainersWritesNoneOfTheirKeys() {
        String yaml = RunConfigWriter.toYaml(parse(config("gguf:/m.gguf", "trainer: embedded-lora")));
        for (String key : new String[] {"suffix", "price_per_million_tokens", "poll_seconds", "command", "vllm_lora"}) {
            assertFalse(yaml.contains(key + ":"), "an older run's config.yaml still matches on resume: " + key);
        }
        RunConfig set = parse(config("gguf:/m.gguf", "trainer: none\nsuffix: mine\npoll_seconds: 5"));
        assertEquals(set, parse(RunConfigWriter.toYaml(set)));
    }

    @Test
    void mistakesPointAtTheirLine() {
        assertEquals("error: run.yaml:9: trainer command needs 'training.command', e.g. "
                + "\"python train.py --model {base_model} --data {data} --out {output_dir}\"", error(config("gguf:/m.gguf", "trainer: command")));
        assertTrue(error(config("gguf:/m.gguf", "trainer: command\ncommand: \"train --data {dataset}\""))
                .startsWith("error: run.yaml:10: 'training.command': unknown placeholder {dataset}"));
        assertEquals("error: run.yaml:10: 'training.command' is read only by trainer command (the trainer is none)",
                error(config("gguf:/m.gguf", "trainer: none\ncommand: train")));
        assertTrue(error(config("gguf:/m.gguf", "trainer: command\ncommand: train\nvllm_lora: true"))
                .startsWith("error: run.yaml:11: 'training.vllm_lora' loads the command trainer's adapter into the target's vLLM server"));
        assertEquals("error: run.yaml:9: trainer openai fine-tunes an openai: or openai-compatible: target, not gguf:/m.gguf",
                error(config("gguf:/m.gguf", "trainer: openai")));
        assertTrue(error(config("openai:gpt-4o-mini", "trainer: openai\npoll_seconds: 0")).contains("'training.poll_seconds' is 0"));
    }
}
