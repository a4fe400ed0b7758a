package org.iteralign.core.redteam;

import com.fasterxml.jackson.databind.JsonNode;
import org.iteralign.core.UserInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Anthropic hh-rlhf files: red-team-attempts records (a {@code transcript} field) and preference pairs (a
 * {@code chosen} field), gzipped or not, as JSON lines or one JSON array. Both hold dialogues written as
 * {@code "\n\nHuman: ...\n\nAssistant: ..."}; the red-team request is the first Human turn, and IterAlign's raw
 * prompt is the dialogue cut right after the first {@code "\n\nAssistant:"} so the model writes that answer.
 */
final class HhRlhfTranscripts {
    private static final String HUMAN = "Human:";
    private static final String ASSISTANT = "\n\nAssistant:";

    private HhRlhfTranscripts() {}

    static List<RedTeamPrompt> load(Path file) {
        List<RedTeamPrompt> prompts = new ArrayList<>();
        DataFiles.forEachRecord(file, record -> {
            String dialogue = dialogue(file, record.line(), record.value());
            String turn = firstHumanTurn(dialogue);
            if (turn == null) {
                throw new UserInputException(file, record.line(), "no non-empty 'Human:' turn in the transcript");
            }
            prompts.add(RedTeamPrompt.of(turn, "\n\nHuman: " + turn + ASSISTANT, file + ":" + record.line()));
        });
        return prompts;
    }

    private static String dialogue(Path file, int line, JsonNode row) {
        if (!row.isObject()) throw new UserInputException(file, line, "expected a JSON object with 'transcript' or 'chosen'");
        for (String field : new String[] {"transcript", "chosen"}) {
            JsonNode value = row.get(field);
            if (value == null) continue;
            if (!value.isTextual()) throw new UserInputException(file, line, "'" + field + "' must be a string");
            return value.asText();
        }
        throw new UserInputException(file, line,
                "neither 'transcript' (red-team-attempts) nor 'chosen' (preference pairs): not an hh-rlhf file?");
    }

    /** The first Human turn, trimmed; null when there is none or it is blank. */
    static String firstHumanTurn(String dialogue) {
        int human = dialogue.indexOf(HUMAN);
        if (human < 0) return null;
        int start = human + HUMAN.length();
        int end = dialogue.indexOf(ASSISTANT, start);
        String turn = (end < 0 ? dialogue.substring(start) : dialogue.substring(start, end)).strip();
        return turn.isEmpty() ? null : turn;
    }
}
