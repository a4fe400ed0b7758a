package org.iteralign.core.backend.batch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.iteralign.core.backend.OpenAiApi;
import org.iteralign.core.model.BackendOptions;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.ModelCallException;
import org.iteralign.core.model.ModelSpec;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.pipeline.ProgressListener;

/**
 * A model behind OpenAI's Batch API: each {@code generate} call becomes one job (a file of requests, answered within
 * 24 hours at half the price), for red-team pools and evaluations too large to pay full price for. The job is
 * recorded in the run store before any waiting, so a restarted process resumes polling it (one stopped between creating
 * the job and recording it finds the job among the account's newest by its input file). Requests that come back
 * with a retryable error (rate limit, server error, or not reached before the job expired) are sent again as a
 * smaller job, up to {@code maxRetries} times; the others end the call with an error naming them, after every
 * answer that did arrive has been handed to the sink.
 */
public final class OpenAiBatchChatModel implements ChatModel {
    /** OpenAI's limit on requests in one job; a larger call becomes several jobs. */
    static final int MOST_REQUESTS_PER_JOB = 50_000;
    /** Polling slows down, while nothing changes, to at most this many times the configured interval. */
    private static final int SLOWEST_POLL_FACTOR = 16;
    private static final int ERRORS_SHOWN = 3;
    /** Pages of 100 jobs searched for one created before an interruption: the job is among the newest. */
    private static final int LOOKUP_PAGES = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenAiApi api;
    private final BatchJournal journal;
    private final BackendOptions options;
    private final ProgressListener progress;

    OpenAiBatchChatModel(OpenAiApi api, BatchJournal journal, BackendOptions options, ProgressListener progress) {
        this.api = api;
        this.journal = journal;
        this.options = options;
        this.progress = progress;
    }

    /**
     * @param journalDatabase the run store ({@code run.db}) where jobs are recorded; opened at the first call
     * @param env             looks up the key's environment variable
     * @throws IllegalArgumentException when {@code spec} is not an {@code openai:} or {@code openai-compatible:} model
     */
    public static OpenAiBatchChatModel open(ModelSpec spec, BackendOptions options, Function<String, String> env,
                                            Path journalDatabase, ProgressListener progress) {
        if (spec.kind() != ModelSpec.Kind.OPENAI && spec.kind() != ModelSpec.Kind.OPENAI_COMPATIBLE) {
            throw new IllegalArgumentException("the Batch API serves openai: and openai-compatible: models, not " + spec);
        }
        return new OpenAiBatchChatModel(OpenAiApi.open(spec, options, env), new BatchJournal(journalDatabase), options, progress);
    }

    @Override
    public String id() {
        return api.spec().text();
    }

    @Override
    public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        // A job's file names one endpoint: chat and raw prompts go in separate jobs.
        Map<String, List<Integer>> byEndpoint = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) byEndpoint.computeIfAbsent(OpenAiApi.path(batch.get(i)), k -> new ArrayList<>()).add(i);
        for (List<Integer> indices : byEndpoint.values()) {
            for (int from = 0; from < indices.size(); from += MOST_REQUESTS_PER_JOB) {
                answer(indices.subList(from, Math.min(indices.size(), from + MOST_REQUESTS_PER_JOB)), batch, sampling, sink);
            }
        }
    }

    @Override
    public void close() {
        try {
            api.close();
        } finally {
            journal.close();
        }
    }

    @Override
    public String toString() {
        return "OpenAiBatchChatModel[" + id() + "]";
    }

    /** Answers the prompts at {@code indices}, resubmitting those that failed in a retryable way. */
    private void answer(List<Integer> indices, List<Prompt> batch, Sampling sampling, CompletionSink sink) {
        List<Integer> pending = indices;
        List<String> failures = new ArrayList<>();
        boolean refused = false;
        for (int round = 0; !pending.isEmpty(); round++) {
            BatchFile file = BatchFile.of(api, pending.stream().map(batch::get).toList(), sampling);
            BatchResults results = run(file);
            List<Integer> again = new ArrayList<>();
            for (int j = 0; j < pending.size(); j++) {
                int index = pending.get(j);
                Completion answer = results.answers.get(j);
                if (answer != null) {
                    sink.accept(index, answer);
                    continue;
                }
                BatchResults.ItemError error = results.errors.get(j);
                if (error.retryable() && round < options.maxRetries()) {
                    again.add(index);
                } else {
                    failures.add("prompt " + index + ": " + error.message());
                    refused |= !error.retryable();
                }
            }
            journal.forget(file.key());
            if (!again.isEmpty()) progress.note(api.label() + ": sending " + again.size() + " unanswered requests again as a new batch");
            pending = again;
        }
        if (!failures.isEmpty()) {
            String shown = String.join("; ", failures.subList(0, Math.min(ERRORS_SHOWN, failures.size())));
            throw new ModelCallException(api.label() + ": " + failures.size() + " of " + indices.size()
                    + " batch requests got no answer: " + shown + (failures.size() > ERRORS_SHOWN ? "; ..." : ""), refused);
        }
    }

    /** Submits {@code file} as a job, or finds the one a previous process submitted, and waits for its answers. */
    private BatchResults run(BatchFile file) {
        var submitted = journal.find(file.key());
        String inputFileId;
        String batchId;
        if (submitted.isPresent()) {
            inputFileId = submitted.get().inputFileId();
            batchId = submitted.get().batchId();
            progress.note(api.label() + ": resuming " + (batchId != null ? "batch " + batchId : "the upload " + inputFileId)
                    + " of " + file.prompts().size() + " requests");
        } else {
            inputFileId = api.upload("batch", "iteralign-batch.jsonl", file.jsonl());
            journal.uploaded(file.key(), api.label(), inputFileId, file.prompts().size());
            batchId = null;
        }
        if (batchId == null && submitted.isPresent()) {
            // The previous process may have been stopped after creating the job but before recording it.
            batchId = findCreated(inputFileId);
            if (batchId != null) {
                journal.created(file.key(), batchId);
                progress.note(api.label() + ": found batch " + batchId + ", created before the interruption");
            }
        }
        if (batchId == null) {
            batchId = create(inputFileId, file);
            journal.created(file.key(), batchId);
            progress.note(api.label() + ": batch " + batchId + " submitted with " + file.prompts().size() + " requests");
        }
        BatchStatus done = waitFor(batchId);
        if (done.status().equals("failed")) {
            journal.forget(file.key());
            String reasons = done.errors().isEmpty() ? "no reason given" : String.join("; ", done.errors());
            throw new ModelCallException(api.label() + ": batch " + batchId + " failed: " + api.redact(reasons), true);
        }
        return collect(done, file);
    }

    private String create(String inputFileId, BatchFile file) {
        ObjectNode body = JSON.createObjectNode();
        body.put("input_file_id", inputFileId);
        body.put("endpoint", file.endpoint());
        body.put("completion_window", "24h");
        // Lets a user match the job in the provider's dashboard to the run that sent it.
        body.putObject("metadata").put("iteralign_key", file.key());
        BatchStatus created = BatchStatus.read(api.post("/batches", body));
        if (created.id().isBlank()) throw new ModelCallException(api.label() + ": the created batch has no id", false);
        return created.id();
    }

    /**
     * The job made from {@code inputFileId}, looked up among the account's most recent jobs ({@code GET /batches},
     * newest first), or null. The file was uploaded for this request file alone, so a job reading it is ours.
     */
    private String findCreated(String inputFileId) {
        String after = null;
        for (int page = 0; page < LOOKUP_PAGES; page++) {
            JsonNode list = api.get("/batches?limit=100" + (after == null ? "" : "&after=" + OpenAiApi.pathSegment(after)));
            for (JsonNode job : list.path("data")) {
                if (inputFileId.equals(job.path("input_file_id").asText())) return job.path("id").asText();
                after = job.path("id").asText();
            }
            if (!list.path("has_more").asBoolean(false) || after == null) return null;
        }
        return null;
    }

    /** Polls until the job finishes: every poll interval at first, twice as long after each look that shows no change. */
    private BatchStatus waitFor(String batchId) {
        Duration first = options.batchPollInterval();
        Duration slowest = first.multipliedBy(SLOWEST_POLL_FACTOR);
        Duration wait = first;
        String shown = "";
        while (true) {
            BatchStatus status = BatchStatus.read(api.get("/batches/" + OpenAiApi.pathSegment(batchId)));
            if (!status.describe().equals(shown)) {
                shown = status.describe();
                progress.note(api.label() + ": batch " + batchId + " " + shown);
                wait = first;
            } else {
                wait = wait.multipliedBy(2).compareTo(slowest) < 0 ? wait.multipliedBy(2) : slowest;
            }
            if (status.finished()) return status;
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelCallException(api.label() + ": interrupted while waiting for batch " + batchId
                        + "; it keeps running, and resuming picks it up", false, e);
            }
        }
    }

    /** Reads the output and error files; what neither file mentions is unanswered (retryable unless cancelled). */
    private BatchResults collect(BatchStatus done, BatchFile file) {
        BatchResults results = new BatchResults();
        for (String fileId : new String[] {done.outputFileId(), done.errorFileId()}) {
            if (fileId != null) results.read(api.getText("/files/" + OpenAiApi.pathSegment(fileId) + "/content"), file, api, api::redact);
        }
        boolean cancelled = done.status().equals("cancelled");
        String missing = cancelled ? "batch " + done.id() + " was cancelled before answering it"
                : "batch " + done.id() + " (" + done.status() + ") returned no answer for it";
        for (int j = 0; j < file.prompts().size(); j++) {
            if (!results.answers.containsKey(j)) results.errors.putIfAbsent(j, new BatchResults.ItemError(missing, !cancelled));
        }
        return results;
    }
}
