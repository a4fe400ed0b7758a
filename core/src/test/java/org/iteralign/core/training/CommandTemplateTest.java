package org.iteralign.core.training;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandTemplateTest {
    private static final Map<String, String> VALUES = Map.of("data", "/runs/my run/it's \"001\"/sft.jsonl", "output_dir", "/o; rm -rf /",
            "iteration", "3", "base_model", "$HOME", "model_spec", "gguf:/m.gguf", "data_sharegpt", "/s.json");

    @Test
    void wordsSplitAsAShellWouldAndPlaceholdersStayInsideTheirWord() {
        var t = CommandTemplate.parse("python  train.py --data {data} --out={output_dir} 'two words' \"say \\\"hi\\\" {iteration}\" a\\ b --json '{\"lr\": 1}'");
        assertEquals(List.of("python", "train.py", "--data", "/runs/my run/it's \"001\"/sft.jsonl", "--out=/o; rm -rf /", "two words",
                "say \"hi\" 3", "a b", "--json", "{\"lr\": 1}"), t.expand(VALUES));
    }

    @Test
    void valuesAreNeverInterpreted() {
        assertEquals(List.of("echo", "$HOME", "{data}x"), CommandTemplate.parse("echo {base_model} {iteration}").expand(
                Map.of("base_model", "$HOME", "iteration", "{data}x")));
    }

    @Test
    void mistakesAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CommandTemplate.parse("train --data {dataset}"))
                .getMessage().startsWith("unknown placeholder {dataset}; known: {data}, {data_sharegpt}"));
        assertEquals("the command has an unclosed single quote",
                assertThrows(IllegalArgumentException.class, () -> CommandTemplate.parse("train 'x")).getMessage());
        assertEquals("the command has an unclosed double quote",
                assertThrows(IllegalArgumentException.class, () -> CommandTemplate.parse("train \"x")).getMessage());
        assertEquals("the command is empty", assertThrows(IllegalArgumentException.class, () -> CommandTemplate.parse("  ")).getMessage());
    }
}
