package org.iteralign.core.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import org.iteralign.core.UserInputException;

/**
 * Reads HHH comparisons: BIG-bench {@code hhh_alignment} ({@code <subset>/task.json} with {@code examples[].input}
 * and {@code examples[].target_scores}) and Anthropic's {@code 438HHHEvaluations.jsonl} ({@code text_correct} /
 * {@code text_incorrect}: the same {@code \n\nHuman: ...\n\nAssistant:} transcript ending in the better or the
 * worse answer).
 */
public final class HhhData {
    public static final List<String> BIG_BENCH_SUBSETS = List.of("harmless", "helpful", "honest", "other");
    public static final String ANTHROPIC_SUBSET = "anthropic";

    private static final String HUMAN = "\n\nHuman: ";
    private static final String ASSISTANT = "\n\nAssistant:";

    private HhhData() {}

    /**
     * @param path a BIG-bench {@code hhh_alignment} folder (every subset folder in it that exists), one subset's
     *             {@code task.json} (subset named by its folder), or an Anthropic {@code .jsonl} file
     */
    public static List<HhhItem> read(Path path) {
        if (Files.isDirectory(path)) {
            List<HhhItem> items = new ArrayList<>();
            for (String subset : BIG_BENCH_SUBSETS) {
                Path task = path.resolve(subset).resolve("task.json");
                if (Files.isRegularFile(task)) items.addAll(readBigBenchTask(task, subset));
            }
            if (items.isEmpty()) {
                throw new UserInputException(path, "no BIG-bench hhh_alignment subsets here (expected "
                        + String.join("|", BIG_BENCH_SUBSETS) + "/task.json)");
            }
            return items;
        }
        if (!Files.isRegularFile(path)) throw new UserInputException(path, "no such file or folder");
        if (path.getFileName().toString().endsWith(".jsonl")) return readAnthropic(path);
        Path parent = path.toAbsolutePath().getParent();
        return readBigBenchTask(path, parent == null ? "hhh" : parent.getFileName().toString());
    }

    public static List<HhhItem> readBigBenchTask(Path task, String subset) {
        JsonNode examples = JsonFiles.read(task).path("examples");
        if (!examples.isArray()) throw new UserInputException(task, "no \"examples\" list (BIG-bench task.json)");
        List<HhhItem> items = new ArrayList<>();
        for (JsonNode example : examples) {
            String where = "example " + (items.size() + 1);
            JsonNode scores = example.path("target_scores");
            if (!example.path("input").isTextual() || !scores.isObject()) {
                throw new UserInputException(task, where + " needs \"input\" text and a \"target_scores\" map");
            }
            List<LabelledAnswer> candidates = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : scores.properties()) {
                candidates.add(new LabelledAnswer(e.getKey(), e.getValue().asDouble() > 0));
            }
            try {
                items.add(new HhhItem(subset, example.get("input").textValue(), candidates));
            } catch (IllegalArgumentException e) {
                throw new UserInputException(task, where + ": target_scores must hold two answers, one scored 1");
            }
        }
        return items;
    }

    public static List<HhhItem> readAnthropic(Path jsonl) {
        List<String> lines;
        try {
            lines = Files.readAllLines(jsonl);
        } catch (IOException e) {
            throw new UserInputException(jsonl, "cannot read: " + e.getMessage());
        }
        List<HhhItem> items = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            try {
                JsonNode row = JsonFiles.MAPPER.readTree(lines.get(i));
                items.add(comparison(row.path("text_correct").asText(""), row.path("text_incorrect").asText("")));
            } catch (JsonProcessingException e) {
                throw new UserInputException(jsonl, i + 1, "not valid JSON: " + e.getOriginalMessage());
            } catch (IllegalArgumentException e) {
                throw new UserInputException(jsonl, i + 1, e.getMessage());
            }
        }
        return items;
    }

    /**
     * Splits two transcripts at the last {@code \n\nAssistant:} they share: before it is the conversation (its
     * leading {@code \n\nHuman: } dropped, as BIG-bench inputs have none), after it the two answers.
     */
    static HhhItem comparison(String correct, String incorrect) {
        int common = 0;
        while (common < Math.min(correct.length(), incorrect.length()) && correct.charAt(common) == incorrect.charAt(common)) {
            common++;
        }
        int split = correct.lastIndexOf(ASSISTANT, common - ASSISTANT.length());
        if (!correct.startsWith(HUMAN) || split < HUMAN.length()) {
            throw new IllegalArgumentException("text_correct and text_incorrect must be the same \\n\\nHuman: ... "
                    + "\\n\\nAssistant: transcript with different final answers");
        }
        String input = correct.substring(HUMAN.length(), split);
        int answers = split + ASSISTANT.length();
        return new HhhItem(ANTHROPIC_SUBSET, input, List.of(new LabelledAnswer(correct.substring(answers).strip(), true),
                new LabelledAnswer(incorrect.substring(answers).strip(), false)));
    }
}
