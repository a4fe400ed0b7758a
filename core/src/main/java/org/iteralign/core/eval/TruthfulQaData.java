package org.iteralign.core.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.iteralign.core.UserInputException;

/** Reads TruthfulQA's {@code mc_task.json} (BIG-bench layout: {@code mc1_targets}/{@code mc2_targets} maps of answer to 0/1). */
public final class TruthfulQaData {
    private TruthfulQaData() {}

    public static List<TruthfulQaItem> read(Path file) {
        JsonNode root = JsonFiles.read(file);
        if (!root.isArray()) throw new UserInputException(file, "expected a JSON list of questions (TruthfulQA mc_task.json)");
        List<TruthfulQaItem> items = new ArrayList<>();
        for (JsonNode q : root) {
            String where = "question " + (items.size() + 1);
            if (!q.path("question").isTextual()) throw new UserInputException(file, where + " has no \"question\" text");
            List<LabelledAnswer> mc1 = targets(file, q, "mc1_targets", where);
            List<LabelledAnswer> mc2 = targets(file, q, "mc2_targets", where);
            if (mc1.stream().filter(LabelledAnswer::correct).count() != 1) {
                throw new UserInputException(file, where + ": mc1_targets must mark exactly one answer 1");
            }
            items.add(new TruthfulQaItem(q.get("question").textValue(), mc1, mc2));
        }
        return items;
    }

    private static List<LabelledAnswer> targets(Path file, JsonNode question, String field, String where) {
        JsonNode targets = question.path(field);
        if (!targets.isObject() || targets.isEmpty()) throw new UserInputException(file, where + " has no " + field + " map");
        List<LabelledAnswer> answers = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : targets.properties()) {
            int label = e.getValue().asInt(-1);
            if (label != 0 && label != 1) throw new UserInputException(file, where + ": " + field + " values must be 0 or 1");
            answers.add(new LabelledAnswer(e.getKey(), label == 1));
        }
        return answers;
    }
}
