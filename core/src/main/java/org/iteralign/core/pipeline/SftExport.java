package org.iteralign.core.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes SFT examples in the two layouts trainers read: FastChat's ShareGPT JSON and OpenAI chat JSONL. */
public final class SftExport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SftExport() {}

    public enum Format { SHAREGPT, OPENAI }

    /** The paper's FastChat format: {@code [{"id", "conversations": [{"from": "human"|"gpt", "value"}]}]}. */
    public static String shareGpt(List<SftExample> examples) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SftExample e : examples) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", "iter%03d-%s".formatted(e.iteration(), e.promptId()));
            row.put("conversations", List.of(
                    turn("from", "human", e.prompt()),
                    turn("from", "gpt", e.response())));
            rows.add(row);
        }
        try {
            return PRETTY.writeValueAsString(rows) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** OpenAI's fine-tuning layout: one {@code {"messages": [user, assistant]}} object per line. */
    public static String openAi(List<SftExample> examples) {
        StringBuilder out = new StringBuilder();
        for (SftExample e : examples) {
            Map<String, Object> row = Map.of("messages", List.of(
                    turn("role", "user", e.prompt()),
                    turn("role", "assistant", e.response())));
            try {
                out.append(JSON.writeValueAsString(row)).append('\n');
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return out.toString();
    }

    public static String render(Format format, List<SftExample> examples) {
        return format == Format.SHAREGPT ? shareGpt(examples) : openAi(examples);
    }

    /** Writes both files of one iteration; returns their paths (ShareGPT first). */
    public static List<Path> writeIteration(Path iterationDir, List<SftExample> examples) {
        Path shareGpt = iterationDir.resolve("sft.sharegpt.json");
        Path openAi = iterationDir.resolve("sft.openai.jsonl");
        RunDirectory.writeAtomically(shareGpt, shareGpt(examples));
        RunDirectory.writeAtomically(openAi, openAi(examples));
        return List.of(shareGpt, openAi);
    }

    private static Map<String, String> turn(String key, String who, String text) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(key, who);
        m.put(key.equals("from") ? "value" : "content", text);
        return m;
    }
}
