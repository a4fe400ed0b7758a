package org.iteralign.core.backend.batch;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.iteralign.core.backend.OpenAiApi;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.ModelCallException;

/**
 * What a finished job answered, by prompt position: the lines of its output and error files, matched by
 * {@code custom_id} because the provider writes them in any order.
 */
final class BatchResults {
    /** Why one request has no answer; {@code retryable} when sending it again may well succeed. */
    record ItemError(String message, boolean retryable) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    final Map<Integer, Completion> answers = new HashMap<>();
    final Map<Integer, ItemError> errors = new HashMap<>();

    /**
     * Reads one output or error file.
     *
     * @param redact blanks the key out of provider messages
     * @throws ModelCallException when a line is not JSON or names no request of {@code file}
     */
    void read(String jsonl, BatchFile file, OpenAiApi api, UnaryOperator<String> redact) {
        int lineNumber = 0;
        for (String line : jsonl.split("\n")) {
            lineNumber++;
            if (line.isBlank()) continue;
            JsonNode json;
            try {
                json = JSON.readTree(line);
            } catch (IOException e) {
                throw new ModelCallException(api.label() + ": batch result line " + lineNumber + " is not JSON", false);
            }
            int index = file.indexOf(json.path("custom_id").asText(null));
            if (index < 0) {
                throw new ModelCallException(api.label() + ": batch result line " + lineNumber + " names an unknown custom_id '"
                        + redact.apply(json.path("custom_id").asText("")) + "'", false);
            }
            JsonNode response = json.path("response");
            int status = response.path("status_code").asInt(0);
            if (status == 200 && !json.path("error").isObject()) {
                try {
                    answers.put(index, api.completion(file.prompts().get(index), response.path("body")));
                } catch (ModelCallException unreadable) {
                    errors.put(index, new ItemError(unreadable.getMessage(), true));
                }
            } else {
                errors.put(index, error(json, status, redact));
            }
        }
    }

    private static ItemError error(JsonNode line, int status, UnaryOperator<String> redact) {
        JsonNode error = line.path("error").isObject() ? line.path("error") : line.at("/response/body/error");
        String code = error.path("code").asText("");
        String message = error.path("message").asText("");
        String text = (status > 0 ? "HTTP " + status + ": " : "") + (message.isBlank() ? "no message" : message)
                + (code.isBlank() ? "" : " (" + code + ")");
        // An expired job lists what it did not reach as batch_expired; rate limits and server errors pass too.
        boolean retryable = code.equals("batch_expired") || status == 408 || status == 429 || status >= 500;
        return new ItemError(redact.apply(text), retryable);
    }
}
