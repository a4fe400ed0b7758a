package org.iteralign.core.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;

/**
 * The OpenAI fine-tuning API, as OpenAI and the providers that copy it serve it: upload a chat JSONL file
 * ({@code POST /files}, purpose {@code fine-tune}), create a supervised job on it ({@code POST /fine_tuning/jobs}),
 * then read the job and its events until it ends. Requests, retries and keys are {@link OpenAiApi}'s.
 */
public final class OpenAiFineTuning implements AutoCloseable {
    /** The statuses after which a job never changes again. */
    private static final List<String> FINAL = List.of("succeeded", "failed", "cancelled");
    /** How far back {@link #liveJobOn} looks: the API's largest page. */
    private static final int RECENT_JOBS = 100;

    /**
     * A fine-tuning job as last read. {@code fineTunedModel} is set once it succeeded; {@code trainedTokens} counts
     * billable tokens (the data's tokens times the epochs); {@code error} is the provider's reason for a failure.
     */
    public record Job(String id, String status, String fineTunedModel, long trainedTokens, String error) {
        public boolean finished() {
            return FINAL.contains(status);
        }
    }

    /** One line of a job's log, such as "Step 10/90: training loss=1.02". */
    public record Event(String id, String message) {}

    private final OpenAiApi api;

    OpenAiFineTuning(OpenAiApi api) {
        this.api = api;
    }

    /**
     * @param target fine-tuned in place of its provider: {@code openai:NAME} or {@code openai-compatible:URL#NAME}
     * @param env    looks up the key named by {@code options.apiKeyEnv()} ({@code OPENAI_API_KEY} for OpenAI)
     * @throws ModelCallException (user-fixable) when the key's variable is not set
     */
    public static OpenAiFineTuning open(ModelSpec target, BackendOptions options, Function<String, String> env) {
        return new OpenAiFineTuning(OpenAiApi.open(target, options, env));
    }

    /** Where the API lives, for messages: e.g. {@code openai https://api.openai.com/v1}. */
    public String label() {
        return api.label();
    }

    /** Uploads {@code jsonl} as training data and returns its file id. */
    public String upload(Path jsonl) {
        try {
            return api.upload("fine-tune", jsonl.getFileName().toString(), Files.readAllBytes(jsonl));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jsonl, e);
        }
    }

    /**
     * Starts supervised fine-tuning on an uploaded file.
     *
     * @param model  the provider's name of the model to train: the target's, or one it fine-tuned before
     * @param suffix appears in the fine-tuned model's name; null for none
     * @param epochs passes through as the job's {@code n_epochs}
     */
    public Job create(String model, String fileId, String suffix, int epochs) {
        ObjectNode body = ResilientHttp.JSON.createObjectNode();
        body.put("model", model);
        body.put("training_file", fileId);
        if (suffix != null && !suffix.isBlank()) body.put("suffix", suffix);
        body.putObject("method").put("type", "supervised")
                .putObject("supervised").putObject("hyperparameters").put("n_epochs", epochs);
        return read(api.post("/fine_tuning/jobs", body), OpenAiFineTuning::job);
    }

    /**
     * A job on {@code fileId} that has not failed or been cancelled, among the provider's most recent jobs: the one
     * this file was uploaded for, should a run have died between creating it and recording its id.
     */
    public Optional<String> liveJobOn(String fileId) {
        return read(api.get("/fine_tuning/jobs?limit=" + RECENT_JOBS), json -> {
            JsonNode data = json.path("data");
            if (!data.isArray()) throw new ResilientHttp.UnexpectedAnswer("no data list");
            for (JsonNode j : data) {
                String status = j.path("status").asText("");
                if (fileId.equals(j.path("training_file").asText()) && !status.equals("failed") && !status.equals("cancelled")) {
                    return Optional.of(text(j, "id"));
                }
            }
            return Optional.<String>empty();
        });
    }

    public Job job(String jobId) {
        return read(api.get("/fine_tuning/jobs/" + OpenAiApi.pathSegment(jobId)), OpenAiFineTuning::job);
    }

    /** The job's most recent events (at most {@code limit}), oldest first. */
    public List<Event> events(String jobId, int limit) {
        return read(api.get("/fine_tuning/jobs/" + OpenAiApi.pathSegment(jobId) + "/events?limit=" + limit), json -> {
            JsonNode data = json.path("data");
            if (!data.isArray()) throw new ResilientHttp.UnexpectedAnswer("no data list");
            List<Event> events = new ArrayList<>();
            for (JsonNode e : data) events.addFirst(new Event(e.path("id").asText(""), e.path("message").asText("")));
            return events;
        });
    }

    /** The spec that names a fine-tuned model at the same provider, e.g. {@code openai:ft:gpt-4o-mini:org::abc}. */
    public String specOf(String fineTunedModel) {
        ModelSpec target = api.spec();
        return target.kind() == ModelSpec.Kind.OPENAI ? "openai:" + fineTunedModel
                : "openai-compatible:" + target.location() + "#" + fineTunedModel;
    }

    @Override
    public void close() {
        api.close();
    }

    private <T> T read(JsonNode json, Function<JsonNode, T> reader) {
        try {
            return reader.apply(json);
        } catch (ResilientHttp.UnexpectedAnswer e) {
            throw new ModelCallException(api.label() + ": unexpected fine-tuning answer (" + e.getMessage() + "): "
                    + api.redact(json.toString()), false);
        }
    }

    private static Job job(JsonNode json) {
        String status = text(json, "status").toLowerCase(Locale.ROOT);
        JsonNode error = json.path("error");
        String message = error.path("message").isTextual() && !error.path("message").asText().isBlank()
                ? error.path("message").asText() + (error.path("code").isTextual() ? " (" + error.path("code").asText() + ")" : "")
                : null;
        JsonNode model = json.path("fine_tuned_model");
        if (status.equals("succeeded") && !model.isTextual()) throw new ResilientHttp.UnexpectedAnswer("succeeded without fine_tuned_model");
        return new Job(text(json, "id"), status, model.isTextual() ? model.asText() : null, json.path("trained_tokens").asLong(0), message);
    }

    private static String text(JsonNode json, String field) {
        JsonNode v = json.path(field);
        if (!v.isTextual() || v.asText().isBlank()) throw new ResilientHttp.UnexpectedAnswer("no " + field);
        return v.asText();
    }
}
