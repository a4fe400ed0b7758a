package org.iteralign.core.backend.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Batch API job as last read ({@code GET /batches/{id}}). {@code errors} are the reasons a job {@code failed}
 * (its input file did not validate), one per line of the provider's list.
 */
record BatchStatus(String id, String status, String outputFileId, String errorFileId, int total, int completed,
                   int failed, List<String> errors) {
    /** After these a job never changes again. */
    private static final List<String> FINISHED = List.of("completed", "failed", "expired", "cancelled");

    static BatchStatus read(JsonNode json) {
        JsonNode counts = json.path("request_counts");
        List<String> errors = new ArrayList<>();
        for (JsonNode e : json.at("/errors/data")) {
            String where = e.path("line").isNumber() ? "line " + e.path("line").asInt() + ": " : "";
            String code = e.path("code").isTextual() ? " (" + e.path("code").textValue() + ")" : "";
            errors.add(where + e.path("message").asText("no message") + code);
        }
        return new BatchStatus(json.path("id").asText(""), json.path("status").asText("").toLowerCase(Locale.ROOT),
                textOrNull(json.path("output_file_id")), textOrNull(json.path("error_file_id")),
                counts.path("total").asInt(0), counts.path("completed").asInt(0), counts.path("failed").asInt(0), errors);
    }

    boolean finished() {
        return FINISHED.contains(status);
    }

    /** What the user is told while waiting, e.g. {@code in_progress: 40/100 answered, 2 failed}. */
    String describe() {
        return status + ": " + completed + "/" + total + " answered" + (failed > 0 ? ", " + failed + " failed" : "");
    }

    private static String textOrNull(JsonNode node) {
        return node.isTextual() && !node.textValue().isBlank() ? node.textValue() : null;
    }
}
