package org.iteralign.core.backend.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.iteralign.core.backend.ScriptedServer;
import org.iteralign.core.backend.ScriptedServer.Reply;
import org.iteralign.core.backend.ScriptedServer.Request;

/**
 * OpenAI's files and batches endpoints as their documentation shows them (the batch object, its statuses and
 * request_counts, output and error files as JSONL in shuffled order), on a {@link ScriptedServer}. A test says what
 * each job's polls show and what each request gets; everything else (ids, files, counts) follows from what was sent.
 */
final class FakeBatchApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the n-th poll (from 0) of the b-th created job (from 0) shows. */
    @FunctionalInterface
    interface Statuses {
        String at(int job, int poll);
    }

    /** What one request of the b-th job gets once the job is over; {@link Item#MISSING} for neither file. */
    @FunctionalInterface
    interface Items {
        Item answer(int job, String userText);
    }

    /** One request's fate: an answer, an error with an HTTP status, or an error with only a code (expired). */
    record Item(String answer, int status, String code, String message) {
        static final Item MISSING = new Item(null, 0, null, null);

        static Item ok(String text) {
            return new Item(text, 200, null, null);
        }

        static Item httpError(int status, String message) {
            return new Item(null, status, null, message);
        }

        static Item expired() {
            return new Item(null, 0, "batch_expired", "This request could not be executed before the completion window expired.");
        }
    }

    private record Job(String id, String inputFileId, String endpoint, AtomicInteger polls) {}

    private final Map<String, String> files = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<Job> jobs = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger createRefusals;
    private final Statuses statuses;
    private final Items items;
    private final ScriptedServer server;

    /** @param createRefusals how many batch creations are first answered 429 (rate limited) */
    FakeBatchApi(Statuses statuses, Items items, int createRefusals) {
        this.statuses = statuses;
        this.items = items;
        this.createRefusals = new AtomicInteger(createRefusals);
        this.server = ScriptedServer.start(this::answer);
    }

    /** The spec of a model served here. */
    String spec() {
        return "openai-compatible:" + server.url() + "/v1#gpt-test";
    }

    List<Request> requests() {
        return server.requests();
    }

    long count(String method, String pathPrefix) {
        return requests().stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).count();
    }

    /** The lines of every uploaded input file, in upload order. */
    List<List<JsonNode>> uploadedInputs() {
        synchronized (files) {
            return files.entrySet().stream().filter(e -> e.getKey().startsWith("file-in-")).map(e -> lines(e.getValue())).toList();
        }
    }

    @Override
    public void close() {
        server.close();
    }

    private Reply answer(Request r) {
        if (r.method().equals("POST") && r.path().equals("/v1/files")) return upload(r);
        if (r.method().equals("POST") && r.path().equals("/v1/batches")) return create(r);
        if (r.method().equals("GET") && r.path().startsWith("/v1/batches/")) return poll(r.path().substring("/v1/batches/".length()));
        if (r.method().equals("GET") && r.path().equals("/v1/batches")) return list();
        if (r.method().equals("GET") && r.path().startsWith("/v1/files/") && r.path().endsWith("/content")) {
            String content = files.get(r.path().substring("/v1/files/".length(), r.path().length() - "/content".length()));
            return content == null ? notFound() : new Reply(200, content, Map.of("Content-Type", "application/octet-stream"), Duration.ZERO);
        }
        return notFound();
    }

    private Reply upload(Request r) {
        String type = r.header("Content-Type");
        String boundary = "--" + type.substring(type.indexOf("boundary=") + "boundary=".length());
        String purpose = null;
        String content = null;
        for (String part : r.body().split(Pattern.quote(boundary))) {
            int split = part.indexOf("\r\n\r\n");
            if (split < 0) continue;
            String head = part.substring(0, split);
            String value = part.substring(split + 4, part.length() - 2);
            if (head.contains("name=\"purpose\"")) purpose = value;
            if (head.contains("name=\"file\"")) content = value;
        }
        if (!"batch".equals(purpose) || content == null) return Reply.status(400, "{\"error\":{\"message\":\"need purpose batch and a file\"}}");
        String id = "file-in-" + files.size();
        files.put(id, content);
        return Reply.ok("{\"id\":\"" + id + "\",\"object\":\"file\",\"bytes\":" + content.length() + ",\"purpose\":\"batch\"}");
    }

    private Reply create(Request r) {
        if (createRefusals.getAndDecrement() > 0) {
            return Reply.status(429, "{\"error\":{\"message\":\"Enqueued token limit reached\",\"code\":\"rate_limit_exceeded\"}}")
                    .withHeader("retry-after-ms", "5");
        }
        JsonNode body = r.json();
        if (!"24h".equals(body.path("completion_window").asText()) || !files.containsKey(body.path("input_file_id").asText())) {
            return Reply.status(400, "{\"error\":{\"message\":\"bad batch request\"}}");
        }
        Job job = new Job("batch_" + jobs.size(), body.path("input_file_id").asText(), body.path("endpoint").asText(), new AtomicInteger(-1));
        jobs.add(job);
        return Reply.ok(batchObject(job, "validating").toString());
    }

    /** Every job, newest first, on one page; the list does not count as a poll. */
    private Reply list() {
        ObjectNode page = JSON.createObjectNode();
        page.put("object", "list");
        var data = page.putArray("data");
        synchronized (jobs) {
            for (int i = jobs.size() - 1; i >= 0; i--) {
                data.add(batchObject(jobs.get(i), statuses.at(i, Math.max(0, jobs.get(i).polls().get()))));
            }
        }
        page.put("has_more", false);
        return Reply.ok(page.toString());
    }

    private Reply poll(String id) {
        Job job;
        synchronized (jobs) {
            job = jobs.stream().filter(j -> j.id().equals(id)).findFirst().orElse(null);
        }
        if (job == null) return notFound();
        String status = statuses.at(jobs.indexOf(job), job.polls().incrementAndGet());
        return Reply.ok(batchObject(job, status).toString());
    }

    private ObjectNode batchObject(Job job, String status) {
        int number = jobs.indexOf(job);
        List<JsonNode> input = lines(files.get(job.inputFileId()));
        ObjectNode batch = JSON.createObjectNode();
        batch.put("id", job.id());
        batch.put("object", "batch");
        batch.put("endpoint", job.endpoint());
        batch.put("input_file_id", job.inputFileId());
        batch.put("completion_window", "24h");
        batch.put("status", status);
        batch.putNull("output_file_id");
        batch.putNull("error_file_id");
        batch.putNull("errors");
        int answered = 0;
        int failed = 0;
        if (status.equals("failed")) {
            ObjectNode errors = batch.putObject("errors");
            errors.put("object", "list");
            errors.putArray("data").addObject().put("code", "invalid_request").put("line", 1)
                    .put("message", "The model 'gpt-test' does not support the Batch API.");
        } else if (List.of("completed", "expired", "cancelled").contains(status)) {
            StringBuilder output = new StringBuilder();
            StringBuilder errors = new StringBuilder();
            List<JsonNode> shuffled = new ArrayList<>(input);
            Collections.shuffle(shuffled, new Random(7));
            for (JsonNode line : shuffled) {
                Item item = items.answer(number, userText(line));
                if (item.answer() != null) {
                    output.append(outputLine(line, item)).append('\n');
                    answered++;
                } else if (item != Item.MISSING) {
                    errors.append(errorLine(line, item)).append('\n');
                    failed++;
                }
            }
            if (!output.isEmpty()) batch.put("output_file_id", store("file-out-" + job.id(), output.toString()));
            if (!errors.isEmpty()) batch.put("error_file_id", store("file-err-" + job.id(), errors.toString()));
        } else if (status.equals("in_progress")) {
            answered = input.size() / 2;
        }
        batch.putObject("request_counts").put("total", input.size()).put("completed", answered).put("failed", failed);
        return batch;
    }

    private String store(String id, String content) {
        files.put(id, content);
        return id;
    }

    private static ObjectNode outputLine(JsonNode request, Item item) {
        ObjectNode line = JSON.createObjectNode();
        line.put("id", "batch_req_" + request.path("custom_id").asText());
        line.put("custom_id", request.path("custom_id").asText());
        ObjectNode response = line.putObject("response");
        response.put("status_code", 200);
        response.put("request_id", "req_" + request.path("custom_id").asText());
        ObjectNode body = response.putObject("body");
        body.put("object", "chat.completion");
        body.put("model", request.at("/body/model").asText());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", item.answer());
        choice.put("finish_reason", "stop");
        body.putObject("usage").put("prompt_tokens", 11).put("completion_tokens", item.answer().length());
        line.putNull("error");
        return line;
    }

    private static ObjectNode errorLine(JsonNode request, Item item) {
        ObjectNode line = JSON.createObjectNode();
        line.put("id", "batch_req_" + request.path("custom_id").asText());
        line.put("custom_id", request.path("custom_id").asText());
        if (item.code() != null) {
            line.putNull("response");
            line.putObject("error").put("code", item.code()).put("message", item.message());
        } else {
            ObjectNode response = line.putObject("response");
            response.put("status_code", item.status());
            response.put("request_id", "req_" + request.path("custom_id").asText());
            response.putObject("body").putObject("error").put("message", item.message()).put("type", "invalid_request_error");
            line.putNull("error");
        }
        return line;
    }

    private static String userText(JsonNode requestLine) {
        JsonNode messages = requestLine.at("/body/messages");
        return messages.get(messages.size() - 1).path("content").asText();
    }

    private static List<JsonNode> lines(String jsonl) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : jsonl.split("\n")) {
            if (line.isBlank()) continue;
            try {
                out.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static Reply notFound() {
        return Reply.status(404, "{\"error\":{\"message\":\"No such object\",\"type\":\"invalid_request_error\"}}");
    }
}
