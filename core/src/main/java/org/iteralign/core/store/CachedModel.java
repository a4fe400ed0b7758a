package org.iteralign.core.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.iteralign.core.model.ChatMessage;
import org.iteralign.core.model.ChatModel;
import org.iteralign.core.model.Completion;
import org.iteralign.core.model.CompletionSink;
import org.iteralign.core.model.Prompt;
import org.iteralign.core.model.Sampling;
import org.iteralign.core.model.Usage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model in one role whose calls go through the run's content-addressed cache: a request already answered
 * (same model, prompt, sampling and attempt number) is read from {@code llm_calls} instead of being paid for
 * again. Each answer is stored the moment the backend returns it, so a killed run loses at most the calls
 * in flight. The attempt number is part of the key so that a deliberate retry (an unparseable verdict) is a
 * real new call.
 */
public final class CachedModel {
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final ChatModel model;
    private final String modelLabel;
    private final RunStore store;
    private final String role;

    /** @param modelLabel how the model is recorded in run.db (the spec with any URL credentials redacted) */
    public CachedModel(ChatModel model, String modelLabel, RunStore store, String role) {
        this.model = model;
        this.modelLabel = modelLabel;
        this.store = store;
        this.role = role;
    }

    public String role() {
        return role;
    }

    public String modelLabel() {
        return modelLabel;
    }

    /**
     * Answers every prompt, from the cache where possible, handing each answer to {@code sink} as it is ready.
     * Identical requests within the batch are sent once and the answer is shared (counted as cache hits).
     */
    public void generate(List<Prompt> batch, Sampling sampling, int attempt, CompletionSink sink) {
        Map<String, List<Integer>> waiting = new LinkedHashMap<>();
        Map<String, Prompt> promptByKey = new LinkedHashMap<>();
        Map<String, String> requestByKey = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            String request = requestJson(batch.get(i), sampling, attempt);
            String key = sha256(model.id() + "\n" + request);
            Optional<Completion> hit = waiting.containsKey(key) ? Optional.empty() : lookup(key);
            if (hit.isPresent()) {
                store.increment("llm_cache_hits", 1);
                sink.accept(i, hit.get());
            } else {
                if (waiting.containsKey(key)) store.increment("llm_cache_hits", 1);
                waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
                promptByKey.putIfAbsent(key, batch.get(i));
                requestByKey.putIfAbsent(key, request);
            }
        }
        if (waiting.isEmpty()) return;
        List<String> keys = List.copyOf(waiting.keySet());
        List<Prompt> misses = keys.stream().map(promptByKey::get).toList();
        model.generate(misses, sampling, (j, completion) -> {
            String key = keys.get(j);
            Usage u = completion.usage() == null ? Usage.NONE : completion.usage();
            store.update("INSERT OR IGNORE INTO llm_calls(key, role, model, request, response, finish_reason, prompt_tokens, "
                            + "completion_tokens, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    key, role, modelLabel, requestByKey.get(key), completion.text(), completion.finishReason(),
                    u.promptTokens(), u.completionTokens(), Instant.now().toString());
            for (int index : waiting.get(key)) sink.accept(index, completion);
        });
    }

    public List<Completion> generate(List<Prompt> batch, Sampling sampling, int attempt) {
        Completion[] out = new Completion[batch.size()];
        generate(batch, sampling, attempt, (i, c) -> out[i] = c);
        return List.of(out);
    }

    /**
     * This model as a plain {@link ChatModel} whose calls go through the cache with a fixed attempt number, for
     * code that knows nothing of run stores (evaluation suites): a resumed evaluation pays for nothing twice.
     */
    public ChatModel asChatModel(int attempt) {
        return new ChatModel() {
            @Override
            public String id() {
                return model.id();
            }

            @Override
            public void generate(List<Prompt> batch, Sampling sampling, CompletionSink sink) {
                CachedModel.this.generate(batch, sampling, attempt, sink);
            }
        };
    }

    private Optional<Completion> lookup(String key) {
        return store.queryOne("SELECT response, finish_reason, prompt_tokens, completion_tokens FROM llm_calls WHERE key = ?",
                r -> new Completion(r.getString(1), r.getString(2), new Usage(r.getLong(3), r.getLong(4))), key);
    }

    static String requestJson(Prompt prompt, Sampling sampling, int attempt) {
        Map<String, Object> request = new LinkedHashMap<>();
        switch (prompt) {
            case Prompt.Chat chat -> {
                List<Map<String, String>> messages = new ArrayList<>();
                for (ChatMessage m : chat.messages()) {
                    messages.add(Map.of("role", m.role().name().toLowerCase(), "content", m.content()));
                }
                request.put("messages", messages);
            }
            case Prompt.Raw raw -> request.put("raw", raw.text());
        }
        request.put("sampling", sampling);
        request.put("attempt", attempt);
        try {
            return JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a model request", e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
